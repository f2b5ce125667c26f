"""Repetitive document removal: Gopher's repetition rules (Rae et al. 2021, table A1), vectorised.

Duplicate lines/paragraphs (share of items and of characters), the character share of the most
frequent word 2/3/4-gram, and the character share covered by word 5..10-grams that occur more
than once. N-gram rules run on the flat array of word hashes of all documents at once: n-gram
keys are combined with numpy, counted with one polars group-by per n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from lakehouse.filters.step import TEXT_COLUMN, pass_column
from lakehouse.filters.text_units import lines, paragraphs, words

_MULT = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True)
class RepetitionParams:
    max_dup_line_fraction: float | None = 0.30
    max_dup_para_fraction: float | None = 0.30
    max_dup_line_char_fraction: float | None = 0.20
    max_dup_para_char_fraction: float | None = 0.20
    top_ngram_max_char_fraction: tuple[tuple[int, float], ...] = ((2, 0.20), (3, 0.18), (4, 0.16))
    dup_ngram_max_char_fraction: tuple[tuple[int, float], ...] = (
        (5, 0.15),
        (6, 0.14),
        (7, 0.13),
        (8, 0.12),
        (9, 0.11),
        (10, 0.10),
    )


def _ngram_stats(frame: pl.DataFrame, params: RepetitionParams) -> pl.DataFrame:
    """Per document (`_row`): top n-gram and duplicate n-gram character fractions."""
    flat = frame.select("_row", _w=words(pl.col(TEXT_COLUMN).fill_null(""))).explode(
        "_w", keep_nulls=False, empty_as_null=False
    )
    doc = flat["_row"].to_numpy()
    hashes = flat["_w"].hash(seed=7).to_numpy()
    lengths = flat["_w"].str.len_chars().to_numpy().astype(np.int64)
    result = frame.select("_row").with_columns(
        _total=pl.Series(np.bincount(doc, weights=lengths, minlength=frame.height))
    )
    m = len(doc)
    char_cum = np.concatenate([[0], np.cumsum(lengths)])
    key = hashes.copy()
    for n in range(2, 11):
        if m < n:
            break
        # key of the n-gram starting at i, valid when it stays inside one document
        key = key[: m - n + 1] * _MULT + hashes[n - 1 :]
        start = np.arange(m - n + 1)
        valid = doc[: m - n + 1] == doc[n - 1 :]
        grams = pl.DataFrame(
            {"_row": doc[: m - n + 1][valid], "_k": key[valid], "_i": start[valid]}
        ).with_columns(_chars=pl.Series(char_cum[start[valid] + n] - char_cum[start[valid]]))
        counts = grams.group_by("_row", "_k").agg(pl.len().alias("_c"), pl.col("_chars").first())
        top = dict(params.top_ngram_max_char_fraction)
        if n in top:
            best = (
                counts.filter(pl.col("_c") > 1)
                .with_columns(_cov=pl.col("_c") * pl.col("_chars"))
                .group_by("_row")
                .agg(pl.col("_cov").max().alias(f"_top{n}"))
            )
            result = result.join(best, on="_row", how="left")
        dup = dict(params.dup_ngram_max_char_fraction)
        if n in dup:
            dup_keys = counts.filter(pl.col("_c") > 1).select("_row", "_k")
            starts = grams.join(dup_keys, on=["_row", "_k"], how="semi")["_i"].to_numpy()
            # a word is covered when a duplicated n-gram starts within the n-1 words before it
            diff = np.zeros(m + 1, dtype=np.int64)
            np.add.at(diff, starts, 1)
            np.add.at(diff, starts + n, -1)
            covered = np.cumsum(diff[:m]) > 0
            cov = np.bincount(doc[covered], weights=lengths[covered], minlength=frame.height)
            result = result.with_columns(pl.Series(f"_dup{n}", cov))
    return result


@dataclass(frozen=True)
class RepetitionStep:
    """Columns `repetition_*` fractions, `repetition_failed` (rule names), `repetition_pass`."""

    params: RepetitionParams = RepetitionParams()
    name: str = "repetition"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        p = self.params
        n = self.name
        text = pl.col(TEXT_COLUMN).fill_null("")
        frame = frame.with_row_index("_row")
        stats = _ngram_stats(frame, p)
        chars = text.str.len_chars().clip(lower_bound=1).cast(pl.Float64)

        def dup_frac(items: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
            count = items.list.len()
            uniq = items.list.unique()
            frac = (count - uniq.list.len()) / count.clip(lower_bound=1).cast(pl.Float64)
            dup_chars = (
                items.list.eval(pl.element().str.len_chars()).list.sum()
                - uniq.list.eval(pl.element().str.len_chars()).list.sum()
            )
            return frac, dup_chars / chars

        line_frac, line_char = dup_frac(lines(text))
        para_frac, para_char = dup_frac(paragraphs(text))
        out = frame.join(stats, on="_row", how="left").with_columns(
            **{
                f"{n}_dup_line_fraction": line_frac,
                f"{n}_dup_para_fraction": para_frac,
                f"{n}_dup_line_char_fraction": line_char,
                f"{n}_dup_para_char_fraction": para_char,
            }
        )
        total = pl.col("_total").clip(lower_bound=1)
        cols = {}
        for k, _ in p.top_ngram_max_char_fraction:
            cols[f"{n}_top_{k}gram_char_fraction"] = (
                pl.col(f"_top{k}").fill_null(0) / total
                if f"_top{k}" in out.columns
                else pl.lit(0.0)
            )
        for k, _ in p.dup_ngram_max_char_fraction:
            cols[f"{n}_dup_{k}gram_char_fraction"] = (
                pl.col(f"_dup{k}").fill_null(0) / total
                if f"_dup{k}" in out.columns
                else pl.lit(0.0)
            )
        out = out.with_columns(**cols)
        rules: dict[str, pl.Expr] = {}
        for rule, col, limit in (
            ("dup_lines", "dup_line_fraction", p.max_dup_line_fraction),
            ("dup_paragraphs", "dup_para_fraction", p.max_dup_para_fraction),
            ("dup_line_chars", "dup_line_char_fraction", p.max_dup_line_char_fraction),
            ("dup_paragraph_chars", "dup_para_char_fraction", p.max_dup_para_char_fraction),
        ):
            if limit is not None:
                rules[rule] = pl.col(f"{n}_{col}") <= limit
        for k, limit in p.top_ngram_max_char_fraction:
            rules[f"top_{k}gram"] = pl.col(f"{n}_top_{k}gram_char_fraction") <= limit
        for k, limit in p.dup_ngram_max_char_fraction:
            rules[f"dup_{k}gram"] = pl.col(f"{n}_dup_{k}gram_char_fraction") <= limit
        failed = [pl.when(~r).then(pl.lit(name)) for name, r in rules.items()]
        out = out.with_columns(
            **{f"{n}_failed": pl.concat_list(failed).list.drop_nulls() if failed else pl.lit([])}
        ).with_columns(pl.all_horizontal([*rules.values(), pl.lit(True)]).alias(pass_column(n)))
        return out.drop([c for c in out.columns if c.startswith("_")])
