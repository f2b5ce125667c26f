"""How the grade predictor generalises: held-out answers to known questions vs whole unseen questions.

A nightly held-out night mixes both: most answers are to questions graded on earlier nights, a few
to new ones. Measured apart, on a graded set with question ids:

- `seen`: rows held out by random folds; their questions keep graded answers in training;
- `unseen`: whole questions held out (leave-question-out folds); nothing of them is in training.

Each is the Spearman of the pooled held-out predictions against the human grades, for the model
as it is trained (`routed`: every feature for known questions, the question-independent head for
the others) and for one head on every feature for all rows (`all_features`, the recipe before the
question-independent head).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lakehouse.reward.config import GradePredictorConfig
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.features import build_features
from lakehouse.reward.heads import fit_head, fit_heads, question_keys
from lakehouse.reward.metrics import spearman


def read_saf(path: Path) -> pl.DataFrame:
    """The SAF short-answer set (`saf_en_train.jsonl`) with the columns the reward model reads."""
    return pl.read_ndjson(path).select(
        question_id=pl.col("question_id").cast(pl.String),
        question_text=pl.col("question"),
        answer_text=pl.col("answer"),
        reference_answer=pl.col("reference_answer"),
        grade=pl.col("score").cast(pl.Float64),
        max_grade=pl.col("max_score").cast(pl.Float64),
    )


def seen_unseen_agreement(
    frame: pl.DataFrame,
    *,
    encoder: TextEncoder,
    config: GradePredictorConfig | None = None,
    folds: int = 5,
    seed: int = 0,
) -> dict[str, Any]:
    """{"rows", "questions", "routed": {"seen", "unseen"}, "all_features": {"seen", "unseen"}}
    for the graded rows of `frame` (question_text, answer_text, reference_answer, grade,
    max_grade; questions told apart by their text)."""
    config = config or GradePredictorConfig()
    graded = frame.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0))
    target = (graded.get_column("grade") / graded.get_column("max_grade")).clip(0.0, 1.0).to_numpy()
    features = build_features(graded, encoder=encoder, lexical_bits=config.lexical_features)
    questions = question_keys(graded)
    distinct = np.unique(questions.astype(str))
    by_question = np.searchsorted(distinct, questions.astype(str)) % folds
    by_row = np.random.default_rng(seed).permutation(graded.height) % folds
    out: dict[str, Any] = {"rows": graded.height, "questions": int(distinct.size)}
    for name in ("routed", "all_features"):
        out[name] = {}
        for split, fold_of in (("seen", by_row), ("unseen", by_question)):
            predicted = np.zeros_like(target)
            for fold in range(folds):
                held = fold_of == fold
                if not held.any():
                    continue
                if name == "routed":
                    heads = fit_heads(
                        features[~held], target[~held], questions=questions[~held], config=config
                    )
                    predicted[held] = heads.predict(features[held], questions[held])
                else:
                    head = fit_head(features[~held], target[~held], alphas=config.alphas)
                    predicted[held] = np.clip(head.predict(features[held]), 0.0, 1.0)
            out[name][split] = spearman(predicted, target)
    return out
