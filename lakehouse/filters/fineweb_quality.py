"""FineWeb's own rules (Penedo et al. 2024), as DataTrove's `FineWebQualityFilter`: lines ending
in punctuation, short lines, duplicated line characters, newlines per word. The line rules judge
only answers with `fineweb_min_lines` lines or more (a one-line answer is "100% short lines")."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN
from lakehouse.filters.text_metric_params import LINES, WORDS, RuleFamily, TextMetricParams, ratio
from lakehouse.filters.text_units import TERMINAL_PUNCTUATION


class FineWebQuality(RuleFamily):
    family = "fineweb"

    def measures(self, params: TextMetricParams) -> dict[str, pl.Expr]:
        text = pl.col(TEXT_COLUMN).fill_null("")
        line = pl.col(LINES)
        n_lines = line.list.len()
        return {
            "lines": n_lines,
            "line_punct_ratio": ratio(
                line.list.eval(pl.element().str.contains(TERMINAL_PUNCTUATION)).list.sum(),
                n_lines,
            ),
            "short_line_ratio": ratio(
                line.list.eval(
                    pl.element().str.len_chars() <= params.fineweb_short_line_length
                ).list.sum(),
                n_lines,
            ),
            "char_dup_ratio": ratio(
                line.list.eval(pl.element().str.len_chars()).list.sum()
                - line.list.unique().list.eval(pl.element().str.len_chars()).list.sum(),
                text.str.replace_all("\n", "", literal=True).str.len_chars(),
            ),
            "newline_ratio": ratio(
                text.str.count_matches("\n", literal=True), pl.col(WORDS).list.len()
            ),
        }

    def rules(
        self, params: TextMetricParams, measure: Mapping[str, pl.Expr]
    ) -> dict[str, pl.Expr | None]:
        p = params
        c = measure
        many_lines = c["lines"] >= p.fineweb_min_lines
        return {
            "fineweb_line_punct": None
            if p.fineweb_min_line_punct_ratio is None
            else ~many_lines | (c["line_punct_ratio"] >= p.fineweb_min_line_punct_ratio),
            "fineweb_short_lines": None
            if p.fineweb_max_short_line_ratio is None
            else ~many_lines | (c["short_line_ratio"] <= p.fineweb_max_short_line_ratio),
            "fineweb_char_dup": None
            if p.fineweb_max_char_dup_ratio is None
            else ~many_lines | (c["char_dup_ratio"] <= p.fineweb_max_char_dup_ratio),
            "fineweb_newline_ratio": None
            if p.fineweb_max_newline_ratio is None
            else c["newline_ratio"] <= p.fineweb_max_newline_ratio,
        }
