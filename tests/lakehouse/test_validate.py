"""Record validation: typed bronze rows and quarantine rows with the first reason, in input order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from lakehouse.contract import BRONZE_SCHEMA, QUARANTINE_SCHEMA, QuarantineReason, missing_field
from lakehouse.readers.common import SourceFile, with_provenance
from lakehouse.validate import parse_timestamp, validate
from tests.lakehouse.records import VALID_RECORD

SRC = SourceFile(Path("batch.csv"), "batch.csv", "inst_a", date(2026, 1, 5), "0" * 64)


def _raw(**overrides: list[str | None]) -> pl.DataFrame:
    n = len(next(iter(overrides.values())))
    good = {k: str(v) if isinstance(v, float) else v for k, v in VALID_RECORD.items()}
    columns: dict[str, list[str | None]] = {k: [v] * n for k, v in good.items()}
    columns.update(overrides)
    columns["source_line"] = [str(i + 1) for i in range(n)]
    return with_provenance(pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)), SRC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05 10:15:00+05:30", datetime(2026, 1, 5, 4, 45, tzinfo=UTC)),
        ("2026-01-05T10:15:00.5Z", datetime(2026, 1, 5, 10, 15, 0, 500_000, tzinfo=UTC)),
        ("2026-01-05T10:15:00", datetime(2026, 1, 5, 10, 15, tzinfo=UTC)),
        ("05/01/2026 10:15", None),
    ],
)
def test_timestamps_to_utc(text: str, expected: datetime | None) -> None:
    assert pl.select(parse_timestamp(pl.lit(text))).item() == expected


def test_each_defect_is_quarantined_with_its_reason_and_the_rest_typed() -> None:
    ts = "2026-01-05T10:00:00Z"
    raw = _raw(
        submission_id=["s1", " ", "s3", "s4", "s5", "s6"],
        submitted_at=[ts, ts, "yesterday", ts, ts, ts],
        grade=["7", "7", "7", "seven", "11", "3"],
        max_grade=["10", "10", "10", "10", "10", None],
    )
    good, bad = validate(raw)
    assert good.schema == pl.Schema(BRONZE_SCHEMA) and bad.schema == pl.Schema(QUARANTINE_SCHEMA)
    assert good["submission_id"].to_list() == ["s1"]
    assert good["grade"].to_list() == [7.0]
    assert bad["reason"].to_list() == [
        missing_field("submission_id"),
        str(QuarantineReason.BAD_TIMESTAMP),
        str(QuarantineReason.BAD_GRADE),
        str(QuarantineReason.GRADE_OUT_OF_RANGE),
        missing_field("max_grade"),
    ]
    assert bad["source_line"].to_list() == [2, 3, 4, 5, 6]
    # the landed cells travel with a quarantined record, re-encoded as JSON
    assert '"grade":"seven"' in bad["raw_record"][2]
