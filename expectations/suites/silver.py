"""The silver gate, over `scrubbed_submissions`: the columns are there and no identifier is left.

Every identifier expectation is a full scan (never sampled): one Aadhaar number in one answer is a
leak. Raw student ids and roster names are given by the caller (the consented bronze rows' ids, the
institution's roster); they live only in the in-memory suite and are masked in any example shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import polars as pl

from expectations.gate import expect, expect_unique, make_suite
from expectations.patterns import AADHAAR_DIGITS, PII_PATTERNS, literal_terms_pattern
from expectations.thresholds import SilverThresholds
from lakehouse.pii.checksums import verhoeff_valid_array

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

GATE: Final = "silver"
SILVER_COLUMNS: Final[tuple[str, ...]] = (
    "submission_id",
    "institution_id",
    "night",
    "course_id",
    "assignment_id",
    "question_id",
    "student_pseudonym",
    "grader_pseudonym",
    "question_text",
    "answer_text",
    "reference_answer",
    "feedback",
    "submitted_at",
    "grade",
    "max_grade",
    "language",
)
TEXT_COLUMNS: Final[tuple[str, ...]] = (
    "question_text",
    "answer_text",
    "reference_answer",
    "feedback",
)
PSEUDONYM_COLUMNS: Final[tuple[str, ...]] = ("student_pseudonym", "grader_pseudonym")
AADHAAR_HITS: Final = "aadhaar_checksum_hits"


def silver_gate_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The scrubbed frame plus `aadhaar_checksum_hits`: per row, the 12-digit runs in its text
    columns whose Verhoeff check digit is valid.

    A bare 12-digit regex would fail every partition whose answers hold a marks total or a
    reference number: those are not Aadhaar numbers (an Aadhaar's last digit is its Verhoeff
    checksum), and the scrubber rightly leaves them. The checksum is the gate's only shared piece
    with the scrubber; the digit-run pattern is the gate's own.
    """
    columns = [c for c in TEXT_COLUMNS if c in frame.columns]
    runs = (
        frame.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
            pl.concat_list(
                [pl.col(c).fill_null("").str.extract_all(AADHAAR_DIGITS) for c in columns]
            ).alias("_m"),
        )
        .explode("_m")
        .drop_nulls("_m")
        .with_columns(pl.col("_m").str.replace_all("[^0-9]", ""))
        .filter(pl.col("_m").str.len_bytes() == 12)
    )
    if runs.is_empty():
        return frame.with_columns(pl.lit(0, pl.Int64).alias(AADHAAR_HITS))
    digits = (
        np.frombuffer("".join(runs.get_column("_m").to_list()).encode(), dtype=np.uint8) - 48
    ).reshape(runs.height, 12)
    valid = runs.filter(pl.Series(verhoeff_valid_array(digits)))
    hits = valid.group_by("_row").len()
    return (
        frame.with_row_index("_row")
        .join(hits, on="_row", how="left")
        .with_columns(pl.col("len").fill_null(0).cast(pl.Int64).alias(AADHAAR_HITS))
        .drop("_row", "len")
    )


def silver_suite(
    *,
    thresholds: SilverThresholds,
    raw_student_ids: Sequence[str],
    roster_names: Sequence[str],
) -> ExpectationSuite:
    """`raw_student_ids` must appear neither as a pseudonym nor in any text column (as a whole
    token); `roster_names` (full names, matched case-insensitively as whole words) must not appear
    in any text column. Pass the names the scrubber is meant to catch: passing bare first names
    makes the gate flag every answer that mentions a common name."""
    import great_expectations.expectations as gxe

    exps = [
        expect(gxe.ExpectColumnToExist, name=f"column:{column}", column=column)
        for column in SILVER_COLUMNS
    ]
    exps += [
        expect(gxe.ExpectColumnValuesToNotBeNull, name=f"not_null:{c}", column=c)
        for c in ("submission_id", "student_pseudonym", "answer_text")
    ]
    exps.append(expect_unique("submission_id"))
    ids = literal_terms_pattern(raw_student_ids)
    names = literal_terms_pattern(roster_names, ignore_case=True)
    patterns = {k: v for k, v in PII_PATTERNS.items() if k != "aadhaar"}
    exps.append(
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name="no_aadhaar",
            column=AADHAAR_HITS,
            min_value=0,
            max_value=0,
        )
    )
    if ids is not None:
        patterns["raw_student_id"] = ids
    if names is not None:
        patterns["roster_name"] = names
    exps += [
        expect(
            gxe.ExpectColumnValuesToNotMatchRegex,
            name=f"no_{kind}:{column}",
            column=column,
            regex=pattern,
            full_scan=True,
        )
        for column in TEXT_COLUMNS
        for kind, pattern in patterns.items()
    ]
    if raw_student_ids:
        unique_ids = sorted(set(raw_student_ids))
        exps += [
            expect(
                gxe.ExpectColumnValuesToNotBeInSet,
                name=f"no_raw_student_id:{column}",
                column=column,
                value_set=unique_ids,
                full_scan=True,
            )
            for column in PSEUDONYM_COLUMNS
        ]
    return make_suite(
        gate=GATE,
        examples="scrubbed",
        expectations=exps,
        sample_rows=thresholds.sample_rows,
        redact_patterns=[*patterns.values(), PII_PATTERNS["aadhaar"]],
    )
