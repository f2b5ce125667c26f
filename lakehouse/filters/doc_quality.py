"""Document quality: a logistic regression on hashed character n-grams plus length features,
trained on the institution's own grades (well graded vs poorly graded), scoring every answer.

The hashing vectoriser is stateless, so the model is just its parameters, coefficients and
intercept: saved as JSON + .npy in a versioned folder (no pickle to trust when loading).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

from lakehouse.filters.step import TEXT_COLUMN, pass_column
from lakehouse.filters.text_units import word_count
from lakehouse.filters.versioned import latest_version, next_version

FORMAT_VERSION: Final[int] = 1
N_FEATURES: Final[int] = 2**18


def _vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), n_features=N_FEATURES, alternate_sign=False
    )


def _features(texts: pl.Series) -> sparse.csr_matrix:
    texts = texts.fill_null("")
    hashed = _vectorizer().transform(texts.to_list())
    lengths = pl.DataFrame({"t": texts}).select(
        chars=(pl.col("t").str.len_chars() + 1).log() / 10,
        words=(word_count(pl.col("t")) + 1).log() / 10,
    )
    return sparse.hstack([hashed, sparse.csr_matrix(lengths.to_numpy())]).tocsr()


@dataclass(frozen=True)
class QualityModel:
    coef: np.ndarray
    intercept: float
    model_id: str
    trained_on: int

    @classmethod
    def train(
        cls,
        *,
        frame: pl.DataFrame,
        good_min_ratio: float = 0.8,
        poor_max_ratio: float = 0.4,
        min_per_class: int = 10,
    ) -> QualityModel | None:
        """Label graded answers good (grade/max >= good_min_ratio) or poor (<= poor_max_ratio)
        and fit. None when either class has fewer than `min_per_class` answers."""
        ratio = pl.col("grade") / pl.col("max_grade")
        labelled = frame.filter(
            ratio.is_not_null() & ((ratio >= good_min_ratio) | (ratio <= poor_max_ratio))
        )
        labels = labelled.select(ratio >= good_min_ratio).to_series().to_numpy()
        if labels.sum() < min_per_class or (~labels).sum() < min_per_class:
            return None
        fitted = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
        fitted.fit(_features(labelled[TEXT_COLUMN]), labels)
        coef = fitted.coef_.ravel().astype(np.float64)
        digest = hashlib.sha256(coef.tobytes()).hexdigest()[:12]
        return cls(
            coef=coef,
            intercept=float(fitted.intercept_[0]),
            model_id=digest,
            trained_on=labelled.height,
        )

    def scores(self, texts: pl.Series) -> np.ndarray:
        """Probability that each answer is a well-graded one."""
        logits = _features(texts) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float64)

    def save(self, *, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "coef.npy", self.coef)
        meta = {
            "format": "lakehouse-quality-logreg",
            "format_version": FORMAT_VERSION,
            "features": f"char_wb 2-4 hashed to {N_FEATURES} + log length",
            "intercept": self.intercept,
            "model_id": self.model_id,
            "trained_on": self.trained_on,
        }
        (path / "model.json").write_text(json.dumps(meta, indent=2))
        return path

    @classmethod
    def load(cls, *, path: Path) -> QualityModel:
        meta = json.loads((path / "model.json").read_text())
        if (
            meta.get("format") != "lakehouse-quality-logreg"
            or meta["format_version"] > FORMAT_VERSION
        ):
            raise ValueError(f"{path}: not a lakehouse quality model of format <= {FORMAT_VERSION}")
        return cls(
            coef=np.load(path / "coef.npy"),
            intercept=meta["intercept"],
            model_id=meta["model_id"],
            trained_on=meta["trained_on"],
        )


def train_quality_model(*, frame: pl.DataFrame, model_dir: Path) -> Path | None:
    """Fit on the institution's graded answers; save as the next version under
    `model_dir/quality/`. None when there are too few good or poor answers."""
    model = QualityModel.train(frame=frame)
    return None if model is None else model.save(path=next_version(model_dir / "quality"))


def load_quality_model(*, model_dir: Path) -> QualityModel | None:
    version = latest_version(model_dir / "quality")
    return None if version is None else QualityModel.load(path=version)


@dataclass(frozen=True)
class QualityParams:
    min_score: float = 0.10
    """Drop answers the classifier gives less than a 1-in-10 chance of being well graded."""


@dataclass(frozen=True)
class QualityStep:
    """Columns `quality_score`, `quality_model`, `quality_judged`, `quality_pass`. Without a model
    (too few graded answers yet) every document passes, unjudged."""

    model: QualityModel | None = field(default=None)
    params: QualityParams = QualityParams()
    name: str = "quality"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        n = self.name
        if self.model is None:
            return frame.with_columns(
                pl.lit(None, pl.Float64).alias(f"{n}_score"),
                pl.lit(None, pl.String).alias(f"{n}_model"),
                pl.lit(False).alias(f"{n}_judged"),
                pl.lit(True).alias(pass_column(n)),
            )
        scores = self.model.scores(frame[TEXT_COLUMN])
        return frame.with_columns(
            pl.Series(f"{n}_score", scores, dtype=pl.Float64),
            pl.lit(self.model.model_id).alias(f"{n}_model"),
            pl.lit(True).alias(f"{n}_judged"),
        ).with_columns((pl.col(f"{n}_score") >= self.params.min_score).alias(pass_column(n)))
