"""The grade predictor's heads: ridge for questions graded in training, ridge + boosted trees on
the question-independent features for new questions, each row routed by its own question.

All heads are saved as plain arrays (`np.savez`, loaded without pickle).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl
from sklearn.linear_model import Ridge, RidgeCV

from lakehouse.reward.config import GradePredictorConfig
from lakehouse.reward.embedding_store import text_keys
from lakehouse.reward.features import SCALAR_FEATURES
from lakehouse.reward.trees import TreeEnsemble

HEAD_FILE: Final = "head.npz"
UNSEEN_HEAD_FILE: Final = "head_unseen.npz"
UNSEEN_TREES_FILE: Final = "head_unseen_trees.npz"
QUESTIONS_FILE: Final = "questions.npz"


@dataclass(frozen=True, slots=True)
class RidgeHead:
    """Standardise, then a linear map: `((x - mean) / scale) @ coef + intercept`."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    alpha: float

    def predict(self, features: np.ndarray) -> np.ndarray:
        standardised = (features.astype(np.float64) - self.mean) / self.scale
        return np.asarray(standardised @ self.coef + self.intercept, dtype=np.float64)

    def digest(self) -> str:
        h = hashlib.sha256()
        for array in (self.mean, self.scale, self.coef, np.array([self.intercept, self.alpha])):
            h.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        return h.hexdigest()

    def save(self, path: Path) -> None:
        np.savez(
            path,
            mean=self.mean,
            scale=self.scale,
            coef=self.coef,
            intercept=np.array([self.intercept]),
            alpha=np.array([self.alpha]),
        )

    @classmethod
    def load(cls, path: Path) -> RidgeHead:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                mean=data["mean"],
                scale=data["scale"],
                coef=data["coef"],
                intercept=float(data["intercept"][0]),
                alpha=float(data["alpha"][0]),
            )


def fit_head(
    features: np.ndarray, target: np.ndarray, *, alphas: tuple[float, ...] | float
) -> RidgeHead:
    """Ridge on standardised features; a tuple of alphas is searched by efficient leave-one-out
    (deterministic: no random folds), a single alpha is used as it is."""
    x = features.astype(np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-12] = 1.0
    standardised = (x - mean) / scale
    if isinstance(alphas, tuple):
        cv = RidgeCV(alphas=alphas).fit(standardised, target)
        coef, intercept, alpha = cv.coef_, float(cv.intercept_), float(cv.alpha_)
    else:
        ridge = Ridge(alpha=alphas).fit(standardised, target)
        coef, intercept, alpha = ridge.coef_, float(ridge.intercept_), float(alphas)
    return RidgeHead(
        mean=mean, scale=scale, coef=np.asarray(coef, np.float64), intercept=intercept, alpha=alpha
    )


def _spearman_of(predicted: np.ndarray, target: np.ndarray) -> float:
    from lakehouse.reward.metrics import spearman

    value = spearman(predicted, target)
    return -1.0 if value is None else value


def fit_question_independent_head(
    scalars: np.ndarray, target: np.ndarray, *, questions: np.ndarray, alphas: tuple[float, ...]
) -> RidgeHead:
    """The head for unseen questions, its penalty chosen by leave-question-out cross-validation
    (what it is for) when there are at least three questions, else by leave-one-out."""
    distinct = np.unique(questions)
    if distinct.size < 3:
        return fit_head(scalars, target, alphas=alphas)
    folds = np.searchsorted(distinct, questions) % min(5, distinct.size)
    best: tuple[float, float] | None = None
    for alpha in alphas:
        predicted = np.zeros_like(target)
        for fold in np.unique(folds):
            held = folds == fold
            head = fit_head(scalars[~held], target[~held], alphas=alpha)
            predicted[held] = head.predict(scalars[held])
        rho = _spearman_of(predicted, target)
        if best is None or rho > best[0]:
            best = (rho, alpha)
    assert best is not None
    return fit_head(scalars, target, alphas=best[1])


def question_keys(frame: pl.DataFrame) -> np.ndarray:
    """SHA-256 of each row's question text (object array of hex strings)."""
    column = frame.get_column("question_text").cast(pl.String).fill_null("")
    distinct = column.unique().to_list()
    lookup = dict(zip(distinct, text_keys(distinct), strict=True))
    return column.replace_strict(lookup, return_dtype=pl.String).to_numpy()


@dataclass(frozen=True, slots=True)
class GradeHeads:
    """The two heads and the questions the first one knows (graded often enough in training).
    The unseen head is the mean of a ridge head and boosted trees on the scalar features."""

    seen: RidgeHead
    unseen: RidgeHead
    unseen_trees: TreeEnsemble
    seen_questions: np.ndarray

    def is_seen(self, questions: np.ndarray) -> np.ndarray:
        return np.isin(questions.astype(str), self.seen_questions)

    def predict(self, features: np.ndarray, questions: np.ndarray) -> np.ndarray:
        """Per row: the seen head for a known question, else the scalar head; in [0, 1]."""
        seen = self.is_seen(questions)
        out = np.zeros(features.shape[0], dtype=np.float64)
        if seen.any():
            out[seen] = self.seen.predict(features[seen])
        if (~seen).any():
            scalars = features[~seen][:, -len(SCALAR_FEATURES) :]
            out[~seen] = (self.unseen.predict(scalars) + self.unseen_trees.predict(scalars)) / 2
        return np.clip(out, 0.0, 1.0)

    def digest(self) -> str:
        h = hashlib.sha256()
        heads = (self.seen.digest(), self.unseen.digest(), self.unseen_trees.digest())
        for part in (*heads, *self.seen_questions.tolist()):
            h.update(str(part).encode())
            h.update(b"\0")
        return h.hexdigest()

    def save(self, folder: Path) -> None:
        self.seen.save(folder / HEAD_FILE)
        self.unseen.save(folder / UNSEEN_HEAD_FILE)
        self.unseen_trees.save(folder / UNSEEN_TREES_FILE)
        np.savez(folder / QUESTIONS_FILE, seen=self.seen_questions.astype(str))

    @classmethod
    def load(cls, folder: Path) -> GradeHeads:
        with np.load(folder / QUESTIONS_FILE, allow_pickle=False) as data:
            seen_questions = data["seen"]
        return cls(
            seen=RidgeHead.load(folder / HEAD_FILE),
            unseen=RidgeHead.load(folder / UNSEEN_HEAD_FILE),
            unseen_trees=TreeEnsemble.load(folder / UNSEEN_TREES_FILE),
            seen_questions=seen_questions,
        )


def fit_heads(
    features: np.ndarray,
    target: np.ndarray,
    *,
    questions: np.ndarray,
    config: GradePredictorConfig,
    alphas: tuple[float, float] | None = None,
) -> GradeHeads:
    """Both heads on the same rows; `alphas` (seen, unseen) reuses penalties chosen before."""
    names, counts = np.unique(questions.astype(str), return_counts=True)
    scalars = features[:, -len(SCALAR_FEATURES) :]
    if alphas is None:
        seen = fit_head(features, target, alphas=config.alphas)
        unseen = fit_question_independent_head(
            scalars, target, questions=questions.astype(str), alphas=config.alphas
        )
    else:
        seen = fit_head(features, target, alphas=alphas[0])
        unseen = fit_head(scalars, target, alphas=alphas[1])
    return GradeHeads(
        seen=seen,
        unseen=unseen,
        unseen_trees=TreeEnsemble.fit(scalars, target),
        seen_questions=np.sort(names[counts >= config.seen_question_min_answers]),
    )
