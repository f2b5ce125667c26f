"""Text-metric (heuristic) filtering: Gopher quality, C4 and FineWeb-style rules, vectorised.

Rules are written from the published definitions (Gopher: Rae et al. 2021, appendix A; C4: Raffel
et al. 2020, section 2.2; FineWeb: Penedo et al. 2024, its custom filters), one class per rule
family as DataTrove has (`gopher_quality`, `c4_quality`, `fineweb_quality`); this step runs the
three as one chain step. `published()` gives the thresholds as published; the defaults adapt them
to homework: answers are short (a floor of 5 words, one sentence, line-based rules only for
answers with several lines) and written in Indian scripts (Unicode-aware words, per-language stop
words, danda as sentence end). Set a threshold to None to switch its rule off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from lakehouse.filters.c4_quality import C4Quality
from lakehouse.filters.fineweb_quality import FineWebQuality
from lakehouse.filters.gopher_quality import GopherQuality
from lakehouse.filters.step import TEXT_COLUMN, document_language, pass_column
from lakehouse.filters.text_metric_params import (
    LANG,
    LINES,
    TOKENS,
    WORDS,
    RuleFamily,
    TextMetricParams,
)
from lakehouse.filters.text_units import lines, words

__all__ = ["FAMILIES", "TextMetricParams", "TextMetricsStep"]

FAMILIES: tuple[RuleFamily, ...] = (GopherQuality(), C4Quality(), FineWebQuality())
"""In the order their measures, pass columns and failed rules are written."""


@dataclass(frozen=True)
class TextMetricsStep:
    """Columns `text_metrics_*` (counts and ratios), `text_metrics_failed` (rule names),
    `text_metrics_{gopher,c4,fineweb}_pass` and `text_metrics_pass` (all three)."""

    params: TextMetricParams = field(default_factory=TextMetricParams)
    name: str = "text_metrics"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        n = self.name
        text = pl.col(TEXT_COLUMN).fill_null("")
        out = frame.with_columns(
            **{
                WORDS: words(text),
                TOKENS: text.str.extract_all(r"\S+"),
                LINES: lines(text),
                LANG: document_language(frame),
            }
        )
        for family in FAMILIES:
            out = family.prepare(out)
        working = [c for c in out.columns if c not in frame.columns]
        measures = {
            measure: expr
            for family in FAMILIES
            for measure, expr in family.measures(self.params).items()
        }
        out = out.with_columns(**{f"{n}_{measure}": expr for measure, expr in measures.items()})
        measure = {m: pl.col(f"{n}_{m}") for m in measures}
        rules = {family.family: family.rules(self.params, measure) for family in FAMILIES}
        failed = [
            pl.when(~rule).then(pl.lit(rule_name))
            for family_rules in rules.values()
            for rule_name, rule in family_rules.items()
            if rule is not None
        ]
        family_pass = {
            f"{n}_{family}_pass": pl.all_horizontal(
                [r for r in family_rules.values() if r is not None] or [pl.lit(True)]
            )
            for family, family_rules in rules.items()
        }
        out = out.with_columns(
            **family_pass,
            **{f"{n}_failed": pl.concat_list(failed).list.drop_nulls() if failed else pl.lit([])},
        )
        return out.with_columns(
            pl.all_horizontal(list(map(pl.col, family_pass))).alias(pass_column(n))
        ).drop(working)
