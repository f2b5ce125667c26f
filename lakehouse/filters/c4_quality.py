"""C4 rules (Raffel et al. 2020, section 2.2), as DataTrove's `C4QualityFilter`: sentences on
lines that end in terminal punctuation and have enough words (lines naming JavaScript or a
cookie/privacy policy do not count), overlong words, "lorem ipsum", curly brackets."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN
from lakehouse.filters.text_metric_params import LINES, TOKENS, RuleFamily, TextMetricParams
from lakehouse.filters.text_units import SENTENCE_END_PATTERN, TERMINAL_PUNCTUATION

POLICY_PHRASES = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)


def c4_line_ok(params: TextMetricParams) -> pl.Expr:
    """On a list element (a line): C4 keeps the line's sentences."""
    ok = pl.element().str.contains(TERMINAL_PUNCTUATION) & (
        pl.element().str.count_matches(r"\S+") >= params.c4_min_words_per_line
    )
    if params.c4_javascript_and_policy_lines:
        lowered = pl.element().str.to_lowercase()
        ok = ok & ~lowered.str.contains("javascript", literal=True)
        for phrase in POLICY_PHRASES:
            ok = ok & ~lowered.str.contains(phrase, literal=True)
    return ok


class C4Quality(RuleFamily):
    family = "c4"

    def measures(self, params: TextMetricParams) -> dict[str, pl.Expr]:
        text = pl.col(TEXT_COLUMN).fill_null("")
        return {
            "c4_sentences": pl.col(LINES)
            .list.eval(
                pl.when(c4_line_ok(params))
                .then(pl.element().str.count_matches(SENTENCE_END_PATTERN))
                .otherwise(0)
            )
            .list.sum(),
            "max_word_length": pl.col(TOKENS).list.eval(pl.element().str.len_chars()).list.max(),
            "lorem_ipsum": text.str.to_lowercase().str.contains("lorem ipsum", literal=True),
            "curly_bracket": text.str.contains("{", literal=True),
        }

    def rules(
        self, params: TextMetricParams, measure: Mapping[str, pl.Expr]
    ) -> dict[str, pl.Expr | None]:
        p, c = params, measure
        return {
            "c4_min_sentences": None
            if p.c4_min_sentences is None
            else c["c4_sentences"] >= p.c4_min_sentences,
            "c4_max_word_length": None
            if p.c4_max_word_length is None
            else c["max_word_length"].fill_null(0) <= p.c4_max_word_length,
            "c4_lorem_ipsum": ~c["lorem_ipsum"] if p.c4_lorem_ipsum else None,
            "c4_curly_bracket": ~c["curly_bracket"] if p.c4_curly_bracket else None,
        }
