"""The silver gate, over `scrubbed_submissions`: the columns are there and no identifier is left.

Every identifier expectation is a full scan (never sampled): one Aadhaar number in one answer is a
leak. Raw student ids and roster names are given by the caller (the consented bronze rows' ids, the
institution's roster); they live only in the in-memory suite and are masked in any example shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from expectations.gate import expect, expect_unique, make_suite
from expectations.patterns import PII_PATTERNS, literal_terms_pattern
from expectations.thresholds import SilverThresholds

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
    patterns = dict(PII_PATTERNS)
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
        redact_patterns=list(patterns.values()),
    )
