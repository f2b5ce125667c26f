"""The silver gate, over `scrubbed_submissions`: the columns are there and no identifier is left.

Every identifier expectation is a full scan (never sampled): one Aadhaar number in one answer is a
leak. What counts as an identifier is the scrubber's own definition (`lakehouse.pii.identifiers`:
Verhoeff for Aadhaar, Luhn for cards, the IBAN checksum, `phonenumbers` with context for phones,
...): `silver_gate_frame` counts each identifier's findings per row with the very finders the
scrubber's recognisers run, and the suite expects every count to be 0. So the gate blocks only what
the scrubber would have replaced (a decimal such as `0.050813731` or an ISBN is neither's phone
number), and a block means the text escaped the scrubber, not that the two disagree.

Raw student ids and roster names are given by the caller (the consented bronze rows' ids, the
institution's roster); they live only in the in-memory suite. Their expectations run over a masked
copy of each text column in which every identifier is already replaced by its placeholder, and the
examples shown re-redact ids, names and any long number: no example row carries an identifier into
the Dagster event log (identifier expectations show only a count).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import polars as pl

from expectations.gate import expect, expect_unique, make_suite
from expectations.patterns import PII_PATTERNS, literal_terms_pattern
from expectations.thresholds import SilverThresholds
from lakehouse.pii.detect import hits_column, identifier_hits, masked_column
from lakehouse.pii.identifiers import IDENTIFIERS

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


def silver_gate_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The scrubbed frame plus, per row, `pii_hits:<ENTITY>` (each identifier's findings over the
    text columns, found as the scrubber finds them) and `masked:<column>` (the text with those
    findings replaced by placeholders, for the id and name expectations and their examples)."""
    columns = [c for c in TEXT_COLUMNS if c in frame.columns]
    return pl.concat(
        [frame, identifier_hits(frame, columns=columns, masked=True)], how="horizontal"
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
    exps += [
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            name=f"no_{identifier.entity.lower()}",
            column=hits_column(identifier.entity),
            min_value=0,
            max_value=0,
            full_scan=True,
        )
        for identifier in IDENTIFIERS
    ]
    patterns: dict[str, str] = {}
    if ids is not None:
        patterns["raw_student_id"] = ids
    if names is not None:
        patterns["roster_name"] = names
    exps += [
        expect(
            gxe.ExpectColumnValuesToNotMatchRegex,
            name=f"no_{kind}:{column}",
            column=masked_column(column),
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
        redact_patterns=[*patterns.values(), *PII_PATTERNS.values()],
    )
