"""A KenLM-style n-gram language model trained and scored with polars joins.

Interpolated Kneser-Ney (one discount, Chen & Goodman 1998) over characters (default: robust for
short answers in any script) or words. Training is group-bys over the flat n-grams of the corpus;
scoring explodes documents into n-grams and joins them with the probability tables, one join per
order, so a whole night is scored at once. Saved as a versioned folder (model.json + Parquet).
An existing KenLM ARPA/binary model is used through `KenLMModel` when the `kenlm` module is
installed (it is not a dependency).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import numpy as np
import polars as pl

from lakehouse.filters.text_units import WORD_PATTERN

FORMAT_VERSION: Final[int] = 1
BOS: Final[str] = "\x02"
EOS: Final[str] = "\x03"
SEP: Final[str] = "\x1f"


class PerplexityModel(Protocol):
    """What the perplexity step needs from a model: perplexities and the bucket bounds."""

    @property
    def model_id(self) -> str: ...

    @property
    def head_max(self) -> float: ...

    @property
    def tail_min(self) -> float: ...

    def perplexities(self, texts: pl.Series) -> np.ndarray: ...


def _units(texts: pl.Series, unit: str) -> pl.Series:
    cleaned = texts.fill_null("").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    if unit == "char":
        return cleaned.str.split("")
    return cleaned.str.extract_all(WORD_PATTERN)


def _grams(texts: pl.Series, *, unit: str, order: int) -> pl.DataFrame:
    """One row per predicted unit (each real unit and EOS): doc index, and ctx_k/token columns."""
    units = _units(texts, unit)
    padded = (
        pl.DataFrame({"u": units})
        .with_row_index("doc")
        .with_columns(
            u=pl.concat_list(
                pl.lit([BOS] * (order - 1), dtype=pl.List(pl.String)), pl.col("u"), pl.lit([EOS])
            )
        )
    )
    flat = padded.with_columns(
        is_target=pl.int_ranges(pl.col("u").list.len()).list.eval(pl.element() >= order - 1)
    )
    flat = flat.explode("u", "is_target")
    cols = {"token": pl.col("u")}
    for k in range(2, order + 1):
        cols[f"ctx{k}"] = pl.concat_str(
            [pl.col("u").shift(j) for j in range(k - 1, 0, -1)], separator=SEP
        )
    return flat.with_columns(**cols).filter(pl.col("is_target")).drop("u", "is_target")


@dataclass(frozen=True)
class NgramModel:
    """Probability tables: `ngrams` (order, context, token, alpha), `contexts` (order, context,
    gamma), `unigrams` (token, prob) and the unknown-unit probability."""

    unit: str
    order: int
    discount: float
    ngrams: pl.DataFrame
    contexts: pl.DataFrame
    unigrams: pl.DataFrame
    unknown_prob: float
    head_max: float
    tail_min: float
    model_id: str
    trained_on: int

    @classmethod
    def train(
        cls,
        *,
        texts: pl.Series,
        unit: Literal["char", "word"] = "char",
        order: int = 5,
        discount: float = 0.75,
        head_percentile: float = 0.30,
        tail_percentile: float = 0.90,
        holdout_fraction: float = 0.10,
    ) -> NgramModel:
        """Train on `texts`; bucket bounds are percentiles of held-out reference perplexities.

        CCNet cuts its head/middle/tail at the 33rd/66th percentile of the crawl scored by a
        Wikipedia model. Our reference is already the best-graded answers, so the tail starts at
        the 90th percentile of held-out reference answers: answers less fluent than 9 in 10 good
        ones. Held out (every 1/holdout_fraction-th text), so bounds are not measured on training
        text.
        """
        texts = texts.drop_nulls().filter(texts.drop_nulls().str.strip_chars() != "")
        if texts.len() < 2:
            raise ValueError(f"an n-gram model needs at least 2 reference texts, got {texts.len()}")
        step = max(round(1 / holdout_fraction), 2)
        index = np.arange(texts.len())
        held = texts.filter(pl.Series(index % step == 0)) if texts.len() >= 2 * step else texts
        train = texts.filter(pl.Series(index % step != 0)) if texts.len() >= 2 * step else texts
        grams = _grams(train, unit=unit, order=order)
        ngram_tables = []
        context_tables = []
        # highest order: raw counts; lower orders: continuation counts (distinct left contexts)
        counts = grams.group_by(f"ctx{order}", "token").len("c") if order > 1 else None
        unigram_counts: pl.DataFrame
        if counts is None:
            unigram_counts = grams.group_by("token").len("c")
        for k in range(order, 1, -1):
            assert counts is not None
            key = f"ctx{k}"
            ctx = counts.group_by(key).agg(total=pl.col("c").sum(), types=pl.len())
            ngram_tables.append(
                counts.join(ctx, on=key).select(
                    order=pl.lit(k, pl.Int32),
                    context=pl.col(key),
                    token="token",
                    alpha=(pl.col("c") - discount).clip(lower_bound=0) / pl.col("total"),
                )
            )
            context_tables.append(
                ctx.select(
                    order=pl.lit(k, pl.Int32),
                    context=pl.col(key),
                    gamma=discount * pl.col("types") / pl.col("total"),
                )
            )
            # continuation counts for order k-1: drop the first unit of the context
            if k > 2:
                shorter = pl.col(key).str.split(SEP).list.slice(1).list.join(SEP)
                counts = (
                    counts.select(**{f"ctx{k - 1}": shorter}, token="token")
                    .group_by(f"ctx{k - 1}", "token")
                    .len("c")
                )
            else:
                unigram_counts = counts.group_by("token").len("c")
        vocab = unigram_counts.height
        total = int(unigram_counts["c"].sum())
        unigrams = unigram_counts.select("token", prob=(pl.col("c") + 1) / (total + vocab + 1))
        body = dict(
            unit=unit,
            order=order,
            discount=discount,
            ngrams=pl.concat(ngram_tables) if ngram_tables else _empty_ngrams(),
            contexts=pl.concat(context_tables) if context_tables else _empty_contexts(),
            unigrams=unigrams,
            unknown_prob=1 / (total + vocab + 1),
            trained_on=train.len(),
        )
        digest = hashlib.sha256(
            json.dumps([unit, order, discount, train.len()]).encode()
            + unigrams.sort("token").write_csv().encode()
        ).hexdigest()[:12]
        provisional = cls(**body, head_max=math.inf, tail_min=math.inf, model_id=digest)  # type: ignore[arg-type]
        ppl = np.sort(provisional.perplexities(held))
        return cls(
            **body,  # type: ignore[arg-type]
            head_max=float(np.quantile(ppl, head_percentile)),
            tail_min=float(np.quantile(ppl, tail_percentile)),
            model_id=digest,
        )

    def perplexities(self, texts: pl.Series) -> np.ndarray:
        """Perplexity per text (per unit, EOS included); NaN for empty texts."""
        grams = _grams(texts, unit=self.unit, order=self.order)
        scored = grams.join(self.unigrams, on="token", how="left").with_columns(
            p=pl.col("prob").fill_null(self.unknown_prob)
        )
        for k in range(2, self.order + 1):
            a = self.ngrams.filter(pl.col("order") == k).select(
                pl.col("context").alias(f"ctx{k}"), "token", pl.col("alpha").alias("_a")
            )
            g = self.contexts.filter(pl.col("order") == k).select(
                pl.col("context").alias(f"ctx{k}"), pl.col("gamma").alias("_g")
            )
            scored = (
                scored.join(a, on=[f"ctx{k}", "token"], how="left")
                .join(g, on=f"ctx{k}", how="left")
                .with_columns(p=pl.col("_a").fill_null(0) + pl.col("_g").fill_null(1) * pl.col("p"))
                .drop("_a", "_g")
            )
        per_doc = scored.group_by("doc").agg(
            ppl=pl.lit(10.0) ** (-pl.col("p").log(10).mean()),
            n=pl.len(),
        )
        out = np.full(texts.len(), np.nan)
        docs = per_doc["doc"].to_numpy()
        # a text with no units has only EOS: not judged
        real = per_doc["n"].to_numpy() > 1
        out[docs[real]] = per_doc["ppl"].to_numpy()[real]
        return out

    def save(self, *, path: Path) -> Path:
        """Write the model as a folder `path` (model.json + Parquet tables); returns it."""
        path.mkdir(parents=True, exist_ok=True)
        self.ngrams.write_parquet(path / "ngrams.parquet")
        self.contexts.write_parquet(path / "contexts.parquet")
        self.unigrams.write_parquet(path / "unigrams.parquet")
        meta = {
            "format": "lakehouse-ngram-lm",
            "format_version": FORMAT_VERSION,
            "model_id": self.model_id,
            "unit": self.unit,
            "order": self.order,
            "discount": self.discount,
            "unknown_prob": self.unknown_prob,
            "head_max": self.head_max,
            "tail_min": self.tail_min,
            "trained_on": self.trained_on,
        }
        (path / "model.json").write_text(json.dumps(meta, indent=2))
        return path

    @classmethod
    def load(cls, *, path: Path) -> NgramModel:
        meta = json.loads((path / "model.json").read_text())
        if meta.get("format") != "lakehouse-ngram-lm" or meta["format_version"] > FORMAT_VERSION:
            raise ValueError(f"{path}: not a lakehouse n-gram model of format <= {FORMAT_VERSION}")
        return cls(
            unit=meta["unit"],
            order=meta["order"],
            discount=meta["discount"],
            ngrams=pl.read_parquet(path / "ngrams.parquet"),
            contexts=pl.read_parquet(path / "contexts.parquet"),
            unigrams=pl.read_parquet(path / "unigrams.parquet"),
            unknown_prob=meta["unknown_prob"],
            head_max=meta["head_max"],
            tail_min=meta["tail_min"],
            model_id=meta["model_id"],
            trained_on=meta["trained_on"],
        )


def _empty_ngrams() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"order": pl.Int32, "context": pl.String, "token": pl.String, "alpha": pl.Float64}
    )


def _empty_contexts() -> pl.DataFrame:
    return pl.DataFrame(schema={"order": pl.Int32, "context": pl.String, "gamma": pl.Float64})


@dataclass(frozen=True)
class KenLMModel:
    """A real KenLM ARPA/binary model (word level), used only when `kenlm` is importable.
    Bucket bounds come from the operator (CCNet publishes them per language)."""

    path: Path
    head_max: float
    tail_min: float
    model_id: str = ""

    def _model(self) -> Any:
        try:
            import kenlm
        except ImportError as error:
            raise RuntimeError(
                f"{self.path}: loading a KenLM model needs `pip install kenlm`; or train a "
                "lakehouse n-gram model with NgramModel.train"
            ) from error
        return kenlm.Model(str(self.path))

    def perplexities(self, texts: pl.Series) -> np.ndarray:
        model = self._model()
        joined = _units(texts, "word").list.join(" ").to_list()
        # kenlm scores one sentence per call: there is no batch API.
        return np.array([model.perplexity(t) if t else np.nan for t in joined], dtype=np.float64)
