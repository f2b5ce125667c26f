"""The homework export contract (shared/CONTRACT.md) as code.

One place names the record fields, which are required, their bronze types, and the machine-readable
quarantine reasons, so readers, validators, the generator and the tests all speak the same contract.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import polars as pl

REQUIRED_FIELDS: Final[tuple[str, ...]] = (
    "submission_id",
    "student_id",
    "course_id",
    "assignment_id",
    "question_id",
    "question_text",
    "answer_text",
    "submitted_at",
)
OPTIONAL_FIELDS: Final[tuple[str, ...]] = (
    "grade",
    "max_grade",
    "grader_id",
    "feedback",
    "reference_answer",
    "language",
)
CONTRACT_FIELDS: Final[tuple[str, ...]] = REQUIRED_FIELDS + OPTIONAL_FIELDS

ID_FIELDS: Final[tuple[str, ...]] = (
    "submission_id",
    "student_id",
    "course_id",
    "assignment_id",
    "question_id",
)
"""Identifier fields: an empty or blank value counts as missing (free-text fields may be empty)."""

BATCH_FILE_SUFFIXES: Final[tuple[str, ...]] = (".jsonl", ".jsonl.gz", ".csv", ".parquet")

PROVENANCE_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "file_sha256": pl.String(),
}
"""Where a record came from. `source_file` is relative to the night folder; `source_line` is the
1-based line of a JSONL record, the 1-based data row of a CSV record (header excluded) or the
1-based row of a Parquet record; `file_sha256` is the checksum of the file as it landed."""

BRONZE_SCHEMA: Final[dict[str, pl.DataType]] = {
    "submission_id": pl.String(),
    "student_id": pl.String(),
    "course_id": pl.String(),
    "assignment_id": pl.String(),
    "question_id": pl.String(),
    "question_text": pl.String(),
    "answer_text": pl.String(),
    "submitted_at": pl.Datetime("us", "UTC"),
    "grade": pl.Float64(),
    "max_grade": pl.Float64(),
    "grader_id": pl.String(),
    "feedback": pl.String(),
    "reference_answer": pl.String(),
    "language": pl.String(),
    "extra": pl.String(),
    **PROVENANCE_SCHEMA,
}
"""Typed bronze rows (`raw_submissions`). `extra` is a JSON object of the unknown fields, or null."""

QUARANTINE_SCHEMA: Final[dict[str, pl.DataType]] = {
    **PROVENANCE_SCHEMA,
    "reason": pl.String(),
    "detail": pl.String(),
    "raw_record": pl.String(),
}
"""One row per record (or unreadable file) that broke the contract. `raw_record` keeps the record as
it landed (lossily decoded where its bytes were not UTF-8) so it can be repaired and replayed; it is
personal data and stays in bronze. `detail` is machine-written and never holds record content."""


class QuarantineReason(StrEnum):
    """Machine-readable reasons; `missing_field:<name>` and `bad_type:<name>` carry the field name."""

    UNREADABLE_FILE = "unreadable_file"
    UNDECODABLE_UTF8 = "undecodable_utf8"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    MALFORMED_CSV_ROW = "malformed_csv_row"
    MISSING_FIELD = "missing_field"
    BAD_TYPE = "bad_type"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_GRADE = "bad_grade"
    BAD_MAX_GRADE = "bad_max_grade"
    GRADE_OUT_OF_RANGE = "grade_out_of_range"
    DUPLICATE_SUBMISSION_ID = "duplicate_submission_id"


def missing_field(field: str) -> str:
    """The quarantine reason for a required field that is absent, null or (for ids) blank."""
    return f"{QuarantineReason.MISSING_FIELD}:{field}"


def bad_type(field: str) -> str:
    """The quarantine reason for a field whose JSON value is an object or an array."""
    return f"{QuarantineReason.BAD_TYPE}:{field}"


class ConsentStatus(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"


class ExclusionReason(StrEnum):
    """Why an accepted record was excluded before scrubbing (DPDP Act 2023, section 9 for minors)."""

    NO_CONSENT_RECORD = "no_consent_record"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONSENT_PENDING = "consent_pending"
    MINOR_WITHOUT_GUARDIAN_CONSENT = "minor_without_guardian_consent"
    GUARDIAN_CONSENT_UNVERIFIED = "guardian_consent_unverified"
    """A minor's guardian consent without `verified_by` and `verified_at`: not verifiable."""
    MINOR_STATUS_CONTRADICTS_BIRTH_DATE = "minor_status_contradicts_date_of_birth"
    """`is_minor` disagrees with the roster's `date_of_birth` on the night of the record."""
    CONSENT_INVALID = "consent_invalid"
    ERASURE_REQUESTED = "erasure_requested"


ROSTER_ROLES: Final[tuple[str, ...]] = ("student", "teacher", "guardian")
