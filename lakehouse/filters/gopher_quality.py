"""Gopher quality rules (Rae et al. 2021, appendix A), as DataTrove's `GopherQualityFilter`:
document length, word length, symbols, bullet and ellipsis lines, alphabetic words, stop words.

Words are Unicode-aware and stop words per language (`lakehouse.filters.stop_words`), so the rules
judge answers in Indian scripts too.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN
from lakehouse.filters.stop_words import stop_word_table
from lakehouse.filters.text_metric_params import (
    LANG,
    LINES,
    TOKENS,
    WORDS,
    RuleFamily,
    TextMetricParams,
    ratio,
)
from lakehouse.filters.text_units import ALPHA_PATTERN

BULLET_PATTERN = r"^[•\-*‣◦⁃●▪–·]"
ELLIPSIS_END_PATTERN = r"(\.\.\.|…)$"
_ROW = "_row"
_STOP = "_stop"


class GopherQuality(RuleFamily):
    family = "gopher"

    def prepare(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Stop words per document: one join of the exploded words against (language, word)."""
        stops = stop_word_table()
        indexed = frame.with_row_index(_ROW)
        stop_hits = (
            indexed.select(_ROW, LANG, WORDS)
            .explode(WORDS)
            .join(stops, left_on=[LANG, WORDS], right_on=["language", "word"])
            .group_by(_ROW)
            .len(name=_STOP)
        )
        return (
            indexed.join(stop_hits, on=_ROW, how="left")
            .with_columns(
                pl.col(LANG).is_in(pl.Series(stops["language"].unique())).alias("_judged")
            )
            .drop(_ROW)
        )

    def measures(self, params: TextMetricParams) -> dict[str, pl.Expr]:
        text = pl.col(TEXT_COLUMN).fill_null("")
        w = pl.col(WORDS)
        t = pl.col(TOKENS)
        line = pl.col(LINES)
        return {
            "words": w.list.len(),
            "avg_word_length": w.list.eval(pl.element().str.len_chars()).list.mean(),
            "symbol_word_ratio": ratio(
                text.str.count_matches("#", literal=True)
                + text.str.count_matches("...", literal=True)
                + text.str.count_matches("…", literal=True),
                t.list.len(),
            ),
            "bullet_lines_ratio": ratio(
                line.list.eval(pl.element().str.contains(BULLET_PATTERN)).list.sum(),
                line.list.len(),
            ),
            "ellipsis_lines_ratio": ratio(
                line.list.eval(pl.element().str.contains(ELLIPSIS_END_PATTERN)).list.sum(),
                line.list.len(),
            ),
            "alpha_words_ratio": ratio(
                t.list.eval(pl.element().str.contains(ALPHA_PATTERN)).list.sum(), t.list.len()
            ),
            "stop_words": pl.col(_STOP).fill_null(0).cast(pl.Int64),
            "stop_words_judged": pl.col("_judged").fill_null(False),
        }

    def rules(
        self, params: TextMetricParams, measure: Mapping[str, pl.Expr]
    ) -> dict[str, pl.Expr | None]:
        p, c = params, measure
        return {
            "gopher_min_words": None if p.min_doc_words is None else c["words"] >= p.min_doc_words,
            "gopher_max_words": None if p.max_doc_words is None else c["words"] <= p.max_doc_words,
            "gopher_min_avg_word_length": None
            if p.min_avg_word_length is None
            else c["avg_word_length"].fill_null(0) >= p.min_avg_word_length,
            "gopher_max_avg_word_length": None
            if p.max_avg_word_length is None
            else c["avg_word_length"].fill_null(0)
            <= pl.col(LANG).replace_strict(
                dict(p.max_avg_word_length_by_language),
                default=p.max_avg_word_length,
                return_dtype=pl.Float64,
            ),
            "gopher_symbol_ratio": None
            if p.max_symbol_word_ratio is None
            else c["symbol_word_ratio"] <= p.max_symbol_word_ratio,
            "gopher_bullet_lines": None
            if p.max_bullet_lines_ratio is None
            else c["bullet_lines_ratio"] <= p.max_bullet_lines_ratio,
            "gopher_ellipsis_lines": None
            if p.max_ellipsis_lines_ratio is None
            else c["ellipsis_lines_ratio"] <= p.max_ellipsis_lines_ratio,
            "gopher_alpha_words": None
            if p.min_alpha_words_ratio is None
            else c["alpha_words_ratio"] >= p.min_alpha_words_ratio,
            "gopher_stop_words": None
            if p.min_stop_words is None
            else ~c["stop_words_judged"]
            | (c["words"] < p.stop_words_min_doc_words)
            | (c["stop_words"] >= p.min_stop_words),
        }
