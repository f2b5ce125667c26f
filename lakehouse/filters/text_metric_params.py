"""The thresholds of the text-metric rules (Gopher, C4, FineWeb) and what their rule families share.

`TextMetricParams.published()` gives the thresholds as published; the defaults adapt them to
homework (see `lakehouse.filters.text_metrics`). Set a threshold to None to switch its rule off.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

import polars as pl

WORDS: Final = "_words"
TOKENS: Final = "_tokens"
LINES: Final = "_lines"
LANG: Final = "_lang"
"""Working columns the step adds for its rule families (Unicode-aware words, whitespace tokens,
non-empty lines, the document's language) and drops again; a family's own working columns start
with "_" too."""


@dataclass(frozen=True)
class TextMetricParams:
    # Gopher quality
    min_doc_words: int | None = 5
    """Gopher: 50. Homework answers are often one or two sentences."""
    max_doc_words: int | None = 100_000
    min_avg_word_length: float | None = 3
    """Characters per word, combining marks included (Hindi averages ~4, Tamil ~8 on FLORES)."""
    max_avg_word_length: float | None = 10
    max_avg_word_length_by_language: tuple[tuple[str, float], ...] = (
        ("ta", 14.0),
        ("ml", 14.0),
        ("kn", 13.0),
        ("te", 12.0),
    )
    """Agglutinative Dravidian languages write long words (Tamil averages ~8 characters with marks
    on FLORES, single sentences reach 11)."""
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_lines_ratio: float | None = 0.9
    max_ellipsis_lines_ratio: float | None = 0.3
    min_alpha_words_ratio: float | None = 0.8
    min_stop_words: int | None = 1
    """Gopher: 2 of (the, be, to, of, and, that, have, with); per-language lists here. Documents in a
    language without a list are not judged on this rule."""
    stop_words_min_doc_words: int = 30
    """Judge the stop-word rule only from this many words: in Kannada, Tamil, Telugu and Malayalam
    function words are mostly suffixes, so one short sentence often has none (Gopher: 0)."""
    # C4
    c4_min_sentences: int | None = 1
    """C4: 5 sentences after dropping lines without terminal punctuation or with < 3 words."""
    c4_min_words_per_line: int = 3
    c4_max_word_length: int | None = 1000
    c4_lorem_ipsum: bool = True
    c4_curly_bracket: bool = False
    """C4 drops pages with '{'; homework holds code and set notation, so off by default."""
    c4_javascript_and_policy_lines: bool = True
    # FineWeb
    fineweb_min_lines: int = 3
    """FineWeb's line rules are judged only on answers with at least this many lines (web pages
    have many lines; a one-line answer is always "100% short lines")."""
    fineweb_min_line_punct_ratio: float | None = 0.12
    fineweb_max_short_line_ratio: float | None = 0.67
    fineweb_short_line_length: int = 30
    fineweb_max_char_dup_ratio: float | None = 0.01
    fineweb_max_newline_ratio: float | None = 0.3

    @classmethod
    def published(cls) -> TextMetricParams:
        """Thresholds as published for web text (what DataTrove's filters default to)."""
        return replace(
            cls(),
            min_doc_words=50,
            min_stop_words=2,
            stop_words_min_doc_words=0,
            max_avg_word_length_by_language=(),
            c4_min_sentences=5,
            c4_curly_bracket=True,
            fineweb_min_lines=1,
        )


def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, a zero denominator counted as one (an empty document has ratio 0)."""
    return num.cast(pl.Float64) / den.cast(pl.Float64).clip(lower_bound=1)


class RuleFamily(ABC):
    """One published family of rules (as DataTrove has one filter class per family): the
    measures it computes per document (`text_metrics_<measure>`) and its rules on them, by the
    rule name a failing document lists in `text_metrics_failed` (None: the rule is off)."""

    family: str

    def prepare(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add the family's own working columns, named "_..." (the step drops them later)."""
        return frame

    @abstractmethod
    def measures(self, params: TextMetricParams) -> dict[str, pl.Expr]: ...

    @abstractmethod
    def rules(
        self, params: TextMetricParams, measure: Mapping[str, pl.Expr]
    ) -> dict[str, pl.Expr | None]: ...
