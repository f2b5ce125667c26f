"""The bronze gate, over `raw_submissions` rows, plus the partition's quarantine rate.

Bronze validation already quarantines rows that break the contract; this gate checks that what it
accepted really holds to it (the schema, required fields, grades) and that the night as a whole is
healthy: a quarantine rate above the bound means a broken export, not a few bad records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from expectations.frames import pandas_type_name
from expectations.gate import expect, expect_unique, make_suite
from expectations.thresholds import BronzeThresholds
from lakehouse.contract import BRONZE_SCHEMA, PROVENANCE_SCHEMA, REQUIRED_FIELDS

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

GATE: Final = "bronze"
QUARANTINE_RATE: Final = "quarantine_rate"
"""The partition metric the runner must be given (`metrics={QUARANTINE_RATE: ...}`)."""


def quarantine_rate(*, landed: int, quarantined: int) -> float:
    """quarantined / landed; 0 for a night where nothing landed."""
    return quarantined / landed if landed else 0.0


def bronze_suite(*, thresholds: BronzeThresholds) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    exps = []
    for column, dtype in BRONZE_SCHEMA.items():
        exps.append(expect(gxe.ExpectColumnToExist, name=f"column:{column}", column=column))
        exps.append(
            expect(
                gxe.ExpectColumnTypeToBe,
                name=f"type:{column}",
                column=column,
                type_=pandas_type_name(dtype),
            )
        )
    for column in (*REQUIRED_FIELDS, *PROVENANCE_SCHEMA):
        exps.append(
            expect(gxe.ExpectColumnValuesToNotBeNull, name=f"not_null:{column}", column=column)
        )
    exps += [
        expect_unique("submission_id"),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="max_grade_positive",
            column="max_grade",
            min_value=0,
            strict_min=True,
        ),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="grade_not_negative",
            column="grade",
            min_value=0,
        ),
        expect(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB,
            name="grade_at_most_max_grade",
            column_A="max_grade",
            column_B="grade",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            name="max_grade_set_when_graded",
            column="max_grade",
            row_condition="grade == grade",  # grade is not NaN
            condition_parser="pandas",
        ),
        expect(
            gxe.ExpectColumnMaxToBeBetween,
            name="quarantine_rate_below_bound",
            column=QUARANTINE_RATE,
            scope="partition",
            max_value=thresholds.max_quarantine_rate,
            strict_max=True,
        ),
    ]
    return make_suite(
        gate=GATE, examples="provenance", expectations=exps, sample_rows=thresholds.sample_rows
    )
