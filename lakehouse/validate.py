"""Contract validation of raw frames: one vectorised pass that types good records and gives every
bad one exactly one machine-readable reason.

Precedence (first match wins): a structural reason from the reader (undecodable bytes, malformed
JSON, not an object, a malformed CSV row, an object/array in a field) -> `missing_field:<f>` in
contract order -> `bad_timestamp` -> `bad_grade` -> `bad_max_grade` -> `missing_field:max_grade`
-> `grade_out_of_range`. Duplicate submission ids are decided later, over the whole partition
(`lakehouse.stages.bronze`), because they need every file of the night.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from lakehouse.contract import (
    BRONZE_SCHEMA,
    CONTRACT_FIELDS,
    ID_FIELDS,
    QUARANTINE_SCHEMA,
    REQUIRED_FIELDS,
    QuarantineReason,
    missing_field,
)

_AWARE_FORMAT: Final = "%Y-%m-%dT%H:%M:%S%.f%:z"
_NAIVE_FORMAT: Final = "%Y-%m-%dT%H:%M:%S%.f"


def parse_timestamp(expr: pl.Expr) -> pl.Expr:
    """ISO-8601 date-times to UTC: `T` or a space between date and time, optional fraction,
    `Z` or a `±HH:MM`/`±HHMM` offset; a naive time is taken as UTC. Anything else is null.

    Examples
    --------
    >>> pl.select(parse_timestamp(pl.lit("2026-01-05 10:15:00+05:30"))).item()
    datetime.datetime(2026, 1, 5, 4, 45, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
    """
    norm = (
        expr.str.strip_chars()
        .str.replace(r"^(\d{4}-\d{2}-\d{2}) ", r"${1}T")
        .str.replace(r"[zZ]$", "+00:00")
    )
    aware = norm.str.to_datetime(_AWARE_FORMAT, strict=False, time_zone="UTC", time_unit="us")
    naive = norm.str.to_datetime(_NAIVE_FORMAT, strict=False, time_unit="us").dt.replace_time_zone(
        "UTC"
    )
    return pl.coalesce(aware, naive)


def _number(name: str) -> pl.Expr:
    value = pl.col(name).str.strip_chars().cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def _missing(name: str) -> pl.Expr:
    col = pl.col(name)
    if name in ID_FIELDS:
        return col.is_null() | (col.str.strip_chars() == "")
    return col.is_null()


def _reason() -> pl.Expr:
    grade, max_grade = _number("grade"), _number("max_grade")
    has_grade = pl.col("grade").is_not_null() & (pl.col("grade").str.strip_chars() != "")
    has_max = pl.col("max_grade").is_not_null() & (pl.col("max_grade").str.strip_chars() != "")
    checks: list[tuple[pl.Expr, str]] = [(_missing(f), missing_field(f)) for f in REQUIRED_FIELDS]
    checks += [
        (parse_timestamp(pl.col("submitted_at")).is_null(), QuarantineReason.BAD_TIMESTAMP),
        (has_grade & grade.is_null(), QuarantineReason.BAD_GRADE),
        (has_max & (max_grade.is_null() | (max_grade <= 0)), QuarantineReason.BAD_MAX_GRADE),
        (has_grade & ~has_max, missing_field("max_grade")),
        (has_grade & ((grade < 0) | (grade > max_grade)), QuarantineReason.GRADE_OUT_OF_RANGE),
    ]
    reason = pl.lit(None, pl.String)
    for condition, label in reversed(checks):
        reason = pl.when(condition).then(pl.lit(str(label))).otherwise(reason)
    return pl.coalesce(pl.col("structural_reason"), reason).alias("reason")


def _typed() -> list[pl.Expr]:
    text = [
        pl.col(f).alias(f)
        for f in CONTRACT_FIELDS
        if f not in ("submitted_at", "grade", "max_grade", "language")
    ]
    return [
        *text,
        parse_timestamp(pl.col("submitted_at")).alias("submitted_at"),
        _number("grade").alias("grade"),
        _number("max_grade").alias("max_grade"),
        pl.col("language").str.strip_chars().str.to_lowercase().alias("language"),
    ]


def _raw_record() -> pl.Expr:
    """The record as landed: the JSONL line, else the landed cells re-encoded as JSON."""
    cells = pl.struct([*CONTRACT_FIELDS, "extra"]).struct.json_encode()
    unreadable = pl.col("structural_reason") == str(QuarantineReason.UNREADABLE_FILE)
    return (
        pl.when(unreadable.fill_null(False))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.coalesce(pl.col("raw_record"), cells))
        .alias("raw_record")
    )


def validate(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a raw frame into typed bronze rows (BRONZE_SCHEMA) and quarantine rows
    (QUARANTINE_SCHEMA), preserving input order in both."""
    judged = raw.with_columns(_reason())
    good = judged.filter(pl.col("reason").is_null()).select(
        *_typed(), *(pl.col(c) for c in ("extra", *_PROVENANCE))
    )
    bad = judged.filter(pl.col("reason").is_not_null()).select(
        *(pl.col(c) for c in _PROVENANCE),
        pl.col("reason"),
        pl.col("detail"),
        _raw_record(),
    )
    return (
        good.select(pl.col(c).cast(t) for c, t in BRONZE_SCHEMA.items()),
        bad.select(pl.col(c).cast(t) for c, t in QUARANTINE_SCHEMA.items()),
    )


_PROVENANCE: Final = ("institution_id", "night", "source_file", "source_line", "file_sha256")
