"""Perplexity filtering with CCNet-style head/middle/tail buckets, one model per language.

Models live in a versioned folder layout, `<model_dir>/perplexity/<language>/v<NNNN>/`; the latest
version of each language is loaded. Documents whose language has no model pass, unjudged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from lakehouse.filters.ngram_lm import NgramModel, PerplexityModel
from lakehouse.filters.step import TEXT_COLUMN, document_language, pass_column
from lakehouse.filters.versioned import latest_version, next_version


@dataclass(frozen=True)
class PerplexityParams:
    filtered_buckets: frozenset[str] = frozenset({"tail"})
    """CCNet buckets to drop; the tail (least fluent answers) by default."""


@dataclass(frozen=True)
class PerplexityStep:
    """Columns `perplexity` (float), `perplexity_bucket` (head/middle/tail), `perplexity_model`
    (model id), `perplexity_judged`, `perplexity_pass`."""

    models: Mapping[str, PerplexityModel] = field(default_factory=dict)
    params: PerplexityParams = PerplexityParams()
    name: str = "perplexity"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        n = self.name
        frame = frame.with_columns(_lang=document_language(frame))
        ppl = np.full(frame.height, np.nan)
        head = np.full(frame.height, np.nan)
        tail = np.full(frame.height, np.nan)
        model_ids: list[str | None] = [None] * frame.height
        langs = frame["_lang"].to_numpy()
        for language, model in self.models.items():
            rows = np.flatnonzero(langs == language)
            if rows.size == 0:
                continue
            ppl[rows] = model.perplexities(frame[TEXT_COLUMN][rows])
            head[rows] = model.head_max
            tail[rows] = model.tail_min
            for r in rows:
                model_ids[r] = model.model_id
        out = frame.with_columns(
            pl.Series(n, ppl, dtype=pl.Float64).fill_nan(None),
            pl.Series("_head", head).fill_nan(None),
            pl.Series("_tail", tail).fill_nan(None),
            pl.Series(f"{n}_model", model_ids, dtype=pl.String),
        )
        value = pl.col(n)
        bucket = (
            pl.when(value.is_null())
            .then(None)
            .when(value <= pl.col("_head"))
            .then(pl.lit("head"))
            .when(value > pl.col("_tail"))
            .then(pl.lit("tail"))
            .otherwise(pl.lit("middle"))
        )
        filtered = pl.Series(sorted(self.params.filtered_buckets), dtype=pl.String)
        return (
            out.with_columns(**{f"{n}_bucket": bucket, f"{n}_judged": value.is_not_null()})
            .with_columns(
                (~pl.col(f"{n}_bucket").is_in(filtered).fill_null(False)).alias(pass_column(n))
            )
            .drop("_lang", "_head", "_tail")
        )


def train_perplexity_models(
    *,
    frame: pl.DataFrame,
    model_dir: Path,
    min_grade_ratio: float = 0.8,
    reference_texts: Mapping[str, list[str]] | None = None,
    min_texts: int = 20,
    unit: str = "char",
    order: int = 5,
) -> dict[str, Path]:
    """Train one model per language on the institution's best-graded answers plus operator
    reference text, saved as the next version under `model_dir/perplexity/<language>/`.

    `frame` needs `answer_text`, `grade`, `max_grade` and a language (`language_detected` from the
    language step, or the declared `language`). Languages with fewer than `min_texts` texts are
    skipped: their documents pass unjudged. Returns {language: model folder}.
    """
    best = frame.filter((pl.col("grade") / pl.col("max_grade")) >= min_grade_ratio).select(
        language=document_language(frame), text=pl.col(TEXT_COLUMN)
    )
    extra = reference_texts or {}
    extra_frame = pl.DataFrame(
        {
            "language": [lang for lang, texts in extra.items() for _ in texts],
            "text": [t for texts in extra.values() for t in texts],
        },
        schema={"language": pl.String, "text": pl.String},
    )
    corpus = pl.concat([best, extra_frame]).drop_nulls()
    written: dict[str, Path] = {}
    for (language,), group in corpus.group_by("language"):
        if group.height < min_texts:
            continue
        model = NgramModel.train(texts=group["text"], unit=unit, order=order)  # type: ignore[arg-type]
        folder = model_dir / "perplexity" / str(language)
        written[str(language)] = model.save(path=next_version(folder))
    return written


def load_perplexity_models(*, model_dir: Path) -> dict[str, PerplexityModel]:
    """The latest version of each language's model under `model_dir/perplexity/`."""
    models: dict[str, PerplexityModel] = {}
    root = model_dir / "perplexity"
    if not root.is_dir():
        return models
    for language_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        version = latest_version(language_dir)
        if version is not None:
            models[language_dir.name] = NgramModel.load(path=version)
    return models
