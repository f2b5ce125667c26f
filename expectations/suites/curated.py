"""The curated gate, over `curated_documents`: the chain's bookkeeping is consistent, the language
mix is what the institution should produce, the kept fraction is plausible and the scores are in
range.

A kept fraction outside its bounds usually means a broken step (a model that did not load drops
everything; a step that silently passes keeps everything), not bad homework.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import polars as pl

from expectations.frames import pandas_type_name
from expectations.gate import expect, expect_unique, make_suite
from expectations.thresholds import CuratedThresholds

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

GATE: Final = "curated"
SCORE_COLUMNS: Final[tuple[str, ...]] = ("language_score", "quality_score", "perplexity")


def curated_suite(*, thresholds: CuratedThresholds) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    exps = [
        expect(gxe.ExpectColumnToExist, name=f"column:{column}", column=column)
        for column in ("submission_id", "kept", "drop_reason", "language_detected", *SCORE_COLUMNS)
    ]
    exps += [
        expect(
            gxe.ExpectColumnTypeToBe,
            name="type:kept",
            column="kept",
            type_=pandas_type_name(pl.Boolean()),
        ),
        expect(gxe.ExpectColumnValuesToNotBeNull, name="not_null:kept", column="kept"),
        expect(
            gxe.ExpectColumnValuesToBeNull,
            name="no_drop_reason_when_kept",
            column="drop_reason",
            row_condition="kept == True",
            condition_parser="pandas",
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            name="drop_reason_when_dropped",
            column="drop_reason",
            row_condition="kept == False",
            condition_parser="pandas",
        ),
        expect(
            gxe.ExpectColumnMeanToBeBetween,
            name="kept_fraction_within_bounds",
            column="kept",
            min_value=thresholds.min_kept_fraction,
            max_value=thresholds.max_kept_fraction,
        ),
        # `mostly` is the share of documents with a detected language that must be in the list
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            name="language_mix",
            column="language_detected",
            value_set=list(thresholds.language_allow_list),
            mostly=1.0 - thresholds.max_other_language_share,
        ),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="language_score_in_range",
            column="language_score",
            min_value=0.0,
            max_value=1.0,
        ),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="quality_score_in_range",
            column="quality_score",
            min_value=0.0,
            max_value=1.0,
        ),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="perplexity_positive",
            column="perplexity",
            min_value=0.0,
            strict_min=True,
        ),
        expect_unique("submission_id"),
    ]
    return make_suite(
        gate=GATE,
        examples="scrubbed",
        expectations=exps,
        sample_rows=thresholds.sample_rows,
        redact_patterns=[],
    )
