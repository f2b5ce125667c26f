"""The consent gate: no record of a student who may not be used got past the consent step.

It re-derives each record's consent from the consent table and the erasure requests, on its own
(it does not call `lakehouse.consent`), so a bug in the consent step cannot hide from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import polars as pl

from expectations.gate import expect, expect_unique, make_suite
from expectations.thresholds import ConsentThresholds
from lakehouse.contract import ConsentStatus

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

GATE: Final = "consent"


def consent_gate_frame(
    *, consented: pl.DataFrame, consent: pl.DataFrame, erasure_requests: pl.DataFrame
) -> pl.DataFrame:
    """`consented_submissions` joined with each student's consent and erasure state: one row per
    record with `consent_status`, `consent_is_minor`, `consent_guardian_consent` and `erased`.

    `consent` is the latest consent row per student (as `lakehouse.consent.load_consent` returns
    it: `student_id, status, is_minor, guardian_consent`), `erasure_requests` has `student_id`.
    The raw `student_id` is left out of the result: the gate needs only the verdicts.
    """
    keep = [c for c in ("submission_id", "source_file", "source_line") if c in consented.columns]
    joined = consented.select("student_id", *keep).join(
        consent.select(
            "student_id",
            pl.col("status").alias("consent_status"),
            pl.col("is_minor").alias("consent_is_minor"),
            pl.col("guardian_consent").alias("consent_guardian_consent"),
        ),
        on="student_id",
        how="left",
        maintain_order="left",
    )
    has_record = pl.col("consent_status").is_not_null()
    return joined.with_columns(
        # fail safe, as the consent step does: an unknown minor flag is a minor, an unknown
        # guardian consent is none
        pl.when(has_record).then(pl.col("consent_is_minor").fill_null(True)),
        pl.when(has_record).then(pl.col("consent_guardian_consent").fill_null(False)),
        pl.col("student_id")
        .is_in(erasure_requests.get_column("student_id").implode())
        .alias("erased"),
    ).drop("student_id")


def consent_suite(*, thresholds: ConsentThresholds) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    exps = [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            name="has_consent_record",
            column="consent_status",
            full_scan=True,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            name="consent_granted",
            column="consent_status",
            value_set=[str(ConsentStatus.GRANTED)],
            full_scan=True,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            name="minor_has_guardian_consent",
            column="consent_guardian_consent",
            value_set=[True],
            row_condition="consent_is_minor == True",
            condition_parser="pandas",
            full_scan=True,
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            name="no_erasure_request",
            column="erased",
            value_set=[False],
            full_scan=True,
        ),
        expect_unique("submission_id"),
    ]
    return make_suite(
        gate=GATE, examples="provenance", expectations=exps, sample_rows=thresholds.sample_rows
    )
