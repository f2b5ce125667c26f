"""The default reward model: a grade predictor trained on the lakehouse's own graded answers.

Heads on MiniLM and lexical features (`lakehouse.reward.features`, `lakehouse.reward.heads`)
predict grade / max_grade: a ridge on every feature for answers to questions graded in training
(it learns what good answers to those questions say), and the mean of a ridge and boosted trees
on the question-independent scalar features alone for questions never graded before (embedding
products fitted to known questions carry over badly: on SAF, leave-question-out Spearman 0.41 with
them, 0.59 with the scalar ridge, 0.62 with ridge + trees). Each row is scored by the head for its
own question, so a score never depends on the rows scored beside it. It is trained on graded rows
of nights strictly before a cut-off night and only ever scores nights at or after it, so no answer
is scored by a model that saw its grade.

A trained model is a folder named by its version, `<root>/<version>/`, holding `head.npz`,
`head_unseen.npz`, `head_unseen_trees.npz` and `questions.npz` (the seen questions' SHA-256;
plain arrays: no pickle, nothing executes on load) and `reward_model.json` (kind, version, feature set,
encoder fingerprint, training nights, row counts, held-out metrics overall and per course, and a
calibration table). The version is a hash of what determines the scores (feature set, encoder
weights, head arrays), so the same training data always gives the same version.

Examples
--------
>>> model = train_grade_predictor(frame=history, cutoff_night=date(2026, 1, 9), output_root=root)
>>> model.metadata["metrics"]["holdout"]          # {"rows": ..., "spearman": ..., "mae": ...}
>>> scores = GradePredictor.load(model.path).score(tonight)   # np.ndarray in [0, 1]
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl

from lakehouse.atomic import atomic_dir
from lakehouse.reward.config import (
    GRADE_PREDICTOR_KIND,
    METADATA_FILE,
    DevicePreference,
    EncoderConfig,
    GradePredictorConfig,
)
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.features import (
    FEATURE_SET,
    build_features,
    feature_width,
)
from lakehouse.reward.heads import (
    GradeHeads,
    fit_heads,
    question_keys,
)
from lakehouse.reward.metrics import agreement, agreement_by_course, calibration_table

HEAD_LAYOUT: Final = "ridge|ridge+gbr-v1"
"""Seen head | unseen head; a saved model of another layout is trained again, not reused."""
VERSION_PREFIX: Final = "gp-"
TRAINING_COLUMNS: Final[tuple[str, ...]] = ("night", "course_id", "grade", "max_grade")


def layout_of(metadata: dict[str, Any]) -> str | None:
    layout = (metadata.get("head") or {}).get("layout")
    return str(layout) if layout else None


def is_current_layout(metadata: dict[str, Any]) -> bool:
    """Whether a saved grade predictor's features and heads are those this version computes."""
    return (
        metadata.get("kind") == GRADE_PREDICTOR_KIND
        and metadata.get("feature_set") == FEATURE_SET
        and layout_of(metadata) == HEAD_LAYOUT
    )


class TrainingLeakageError(ValueError):
    """Training rows at or after the cut-off night were passed: their nights would be scored by a
    model that saw their grades."""


class SeenNightError(ValueError):
    """Rows of a night the model was trained on were passed to `score`."""


class EncoderMismatchError(RuntimeError):
    """The embedding model available now is not the one the head was trained on."""


class GradePredictor:
    """A trained grade predictor: `score(frame)` gives rm_score in [0, 1] per row.

    Build one with `train_grade_predictor` or `GradePredictor.load(path)`. The embedding model is
    loaded once, in the constructor, and reused for every `score` call.
    """

    def __init__(
        self,
        *,
        heads: GradeHeads,
        metadata: dict[str, Any],
        encoder: TextEncoder,
        path: Path | None = None,
    ) -> None:
        self.heads = heads
        self.metadata = metadata
        self.encoder = encoder
        self.path = path
        self.version: str = str(metadata["version"])
        self.cutoff_night = date.fromisoformat(metadata["cutoff_night"])
        self.lexical_bits = int(metadata["lexical_features"])

    @property
    def tokens_processed(self) -> int:
        return self.encoder.tokens_processed

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        device: DevicePreference = "auto",
        encoder_config: EncoderConfig | None = None,
        encoder: TextEncoder | None = None,
    ) -> GradePredictor:
        """Load a saved model folder; the encoder must be the one the head was trained on."""
        path = Path(path)
        meta_path = path / METADATA_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(
                f"{path} is not a saved grade predictor (no {METADATA_FILE}); train one with "
                "train_grade_predictor or give the folder of a version"
            )
        metadata = json.loads(meta_path.read_text())
        if not is_current_layout(metadata):
            raise ValueError(
                f"{meta_path}: kind {metadata.get('kind')!r} / feature set "
                f"{metadata.get('feature_set')!r} / heads {layout_of(metadata)!r} is not "
                f"{GRADE_PREDICTOR_KIND!r} / {FEATURE_SET!r} / {HEAD_LAYOUT!r}: train it again"
            )
        heads = GradeHeads.load(path)
        encoder = encoder or TextEncoder(config=encoder_config, device=device)
        if encoder.fingerprint != metadata["encoder"]["fingerprint"]:
            raise EncoderMismatchError(
                f"{path}: the head was trained on encoder {metadata['encoder']['fingerprint'][:12]}"
                f" but {encoder.model_dir} is {encoder.fingerprint[:12]}; retrain the model or "
                "install the encoder it was trained with"
            )
        return cls(heads=heads, metadata=metadata, encoder=encoder, path=path)

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        """rm_score per row of `frame` (question_text, answer_text, reference_answer; and `night`
        when present, which must not be a night the model was trained on)."""
        if "night" in frame.columns and frame.height:
            earliest = frame.get_column("night").cast(pl.Date).min()
            if isinstance(earliest, date) and earliest < self.cutoff_night:
                raise SeenNightError(
                    f"model {self.version} was trained on graded nights before "
                    f"{self.cutoff_night.isoformat()} and cannot score night "
                    f"{earliest.isoformat()}: use a model trained with cutoff_night <= that night"
                )
        if frame.height == 0:
            return np.zeros(0, dtype=np.float64)
        features = build_features(frame, encoder=self.encoder, lexical_bits=self.lexical_bits)
        return self.heads.predict(features, question_keys(frame))


def rows_before(frame: pl.DataFrame, *, cutoff_night: date) -> pl.DataFrame:
    """The rows of `frame` from nights strictly before `cutoff_night`: what may train a model that
    scores `cutoff_night`."""
    return frame.filter(pl.col("night").cast(pl.Date) < cutoff_night)


def train_grade_predictor(
    *,
    frame: pl.DataFrame,
    cutoff_night: date,
    output_root: Path,
    config: GradePredictorConfig | None = None,
    encoder: TextEncoder | None = None,
    device: DevicePreference = "auto",
) -> GradePredictor:
    """Train on the graded rows of `frame` and save the model under `output_root/<version>/`.

    `frame` holds `scrubbed_submissions` rows of nights strictly before `cutoff_night` (use
    `rows_before`); a row at or after it raises `TrainingLeakageError` rather than being dropped,
    because passing one means the caller's night selection is wrong. Ungraded rows and rows
    without a positive max_grade are ignored. The latest `config.holdout_nights` nights are held
    out to measure Spearman and MAE (overall and per course) against human grades.
    Saving is atomic (written aside, then renamed) and idempotent (a version already saved is
    kept as it is).
    """
    config = config or GradePredictorConfig()
    missing = [c for c in TRAINING_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"training needs columns {missing} that the frame lacks")
    nights_col = frame.get_column("night").cast(pl.Date)
    late = int((nights_col >= cutoff_night).sum())
    if late:
        raise TrainingLeakageError(
            f"{late} training rows are from nights at or after the cut-off "
            f"{cutoff_night.isoformat()} (latest {nights_col.max()!s}); a model must only learn "
            "from nights before those it scores: filter with rows_before(frame, cutoff_night=...)"
        )
    graded = frame.with_columns(pl.col("night").cast(pl.Date)).filter(
        pl.col("grade").is_not_null() & (pl.col("max_grade") > 0)
    )
    if graded.height < config.min_training_rows:
        raise ValueError(
            f"only {graded.height} graded rows before {cutoff_night.isoformat()}; at least "
            f"{config.min_training_rows} are needed to train a grade predictor"
        )
    encoder = encoder or TextEncoder(device=device)
    target = (graded.get_column("grade") / graded.get_column("max_grade")).clip(0.0, 1.0).to_numpy()
    features = build_features(graded, encoder=encoder, lexical_bits=config.lexical_features)
    nights = graded.get_column("night").to_numpy()
    courses = graded.get_column("course_id").cast(pl.String).fill_null("").to_numpy()
    distinct_nights = np.unique(nights)
    holdout_nights = (
        distinct_nights[-config.holdout_nights :]
        if config.holdout_nights > 0 and distinct_nights.size > config.holdout_nights
        else distinct_nights[:0]
    )
    in_holdout = np.isin(nights, holdout_nights)
    questions = question_keys(graded)
    heads = fit_heads(
        features[~in_holdout], target[~in_holdout], questions=questions[~in_holdout], config=config
    )
    metrics: dict[str, Any] = {
        "holdout": None,
        "holdout_seen_questions": None,
        "holdout_unseen_questions": None,
        "per_course": {},
    }
    calibration: list[dict[str, Any]] = []
    if in_holdout.any():
        predicted = heads.predict(features[in_holdout], questions[in_holdout])
        human = target[in_holdout]
        seen = heads.is_seen(questions[in_holdout])
        metrics = {
            "holdout": agreement(predicted, human),
            "holdout_seen_questions": agreement(predicted[seen], human[seen]),
            "holdout_unseen_questions": agreement(predicted[~seen], human[~seen]),
            "per_course": agreement_by_course(
                predicted=predicted, human=human, courses=courses[in_holdout]
            ),
        }
        calibration = calibration_table(
            predicted=predicted, human=human, bins=config.calibration_bins
        )
        if config.refit_on_all:
            heads = fit_heads(
                features,
                target,
                questions=questions,
                config=config,
                alphas=(heads.seen.alpha, heads.unseen.alpha),
            )
    version = _version(heads=heads, encoder_fingerprint=encoder.fingerprint, config=config)
    fit_rows = int(
        graded.height if config.refit_on_all or not in_holdout.any() else (~in_holdout).sum()
    )
    metadata: dict[str, Any] = {
        "kind": GRADE_PREDICTOR_KIND,
        "version": version,
        "feature_set": FEATURE_SET,
        "features": feature_width(encoder.dim),
        "lexical_features": config.lexical_features,
        "encoder": {"model_dir_name": encoder.model_dir.name, "fingerprint": encoder.fingerprint},
        "cutoff_night": cutoff_night.isoformat(),
        "training_nights": {
            "first": str(distinct_nights[0]),
            "last": str(distinct_nights[-1]),
            "count": int(distinct_nights.size),
        },
        "holdout_nights": [str(n) for n in holdout_nights],
        "rows": {
            "input": frame.height,
            "graded": graded.height,
            "fit_for_metrics": int((~in_holdout).sum()),
            "holdout": int(in_holdout.sum()),
            "saved_head_fit": fit_rows,
        },
        "head": {
            "type": "ridge",
            "layout": HEAD_LAYOUT,
            "alpha": heads.seen.alpha,
            "unseen_questions_alpha": heads.unseen.alpha,
            "seen_questions": int(heads.seen_questions.size),
            "refit_on_all": config.refit_on_all,
        },
        "target": "clip(grade / max_grade, 0, 1)",
        "metrics": metrics,
        "metrics_note": (
            "held-out metrics come from a head fitted on the nights before the held-out nights; "
            "the saved head is refitted on every night before the cut-off with the same alpha"
            if config.refit_on_all
            else "held-out metrics are those of the saved head"
        ),
        "calibration": calibration,
    }
    path = _save(output_root=Path(output_root), version=version, heads=heads, metadata=metadata)
    return GradePredictor(heads=heads, metadata=metadata, encoder=encoder, path=path)


def _version(*, heads: GradeHeads, encoder_fingerprint: str, config: GradePredictorConfig) -> str:
    digest = hashlib.sha256()
    for part in (FEATURE_SET, encoder_fingerprint, str(config.lexical_features), heads.digest()):
        digest.update(part.encode())
        digest.update(b"\0")
    return VERSION_PREFIX + digest.hexdigest()[:16]


def _save(*, output_root: Path, version: str, heads: GradeHeads, metadata: dict[str, Any]) -> Path:
    """Write the model folder aside and swap it in (`lakehouse.atomic`); a version already saved,
    by this run or a concurrent one, is kept as it is."""
    final = output_root / version
    if (final / METADATA_FILE).is_file():
        return final
    with atomic_dir(final, replace=False) as staging:
        heads.save(staging)
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    return final
