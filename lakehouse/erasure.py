"""Erasure requests (`landing/<inst>/erasure/*.csv`): a listed student's data leaves every layer.

Erasure is enforced where data enters: bronze ingestion drops an erased student's records
(counted as `erased`, nothing of them kept) and blanks the raw content of any quarantined record
that mentions them, so re-running an old night cannot bring them back; re-running the partitions
that held them rewrites every downstream layer without them. The rights path
(`lakehouse.rights`) also redacts the landed copies and records every action here, in
`lake/gold/audit/`, by pseudonym only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.atomic import atomic_file
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.reference import read_reference_csv
from lakehouse.tables import RAW_TABLE
from lakehouse.validate import parse_timestamp

ERASURE_COLUMNS: Final = ("student_id", "requested_at")


def load_erasure_requests(erasure_dir: Path) -> pl.DataFrame:
    """Every erasure request of an institution (`student_id`, `requested_at`), one row per student."""
    files = sorted(erasure_dir.glob("*.csv")) if erasure_dir.is_dir() else []
    frames = [
        read_reference_csv(f, ERASURE_COLUMNS, "erasure request").select(
            pl.col("student_id").str.strip_chars(),
            parse_timestamp(pl.col("requested_at")).alias("requested_at"),
        )
        for f in files
    ]
    if not frames:
        return pl.DataFrame(
            schema={"student_id": pl.String, "requested_at": pl.Datetime("us", "UTC")}
        )
    return (
        pl.concat(frames)
        .filter(pl.col("student_id").is_not_null() & (pl.col("student_id") != ""))
        .sort("requested_at", nulls_last=True)
        .unique("student_id", keep="first", maintain_order=True)
    )


def partitions_holding(
    home: LakehouseHome, institution_id: str, student_ids: list[str]
) -> list[PartitionRef]:
    """The institution's bronze partitions that still hold any of these students' records
    (a columnar scan of `student_id` only): the ones to re-run so every layer forgets them."""
    root = home.table_dir("bronze", RAW_TABLE) / f"institution={institution_id}"
    if not student_ids or not root.is_dir():
        return []
    nights: set[date] = set()
    for folder in sorted(root.glob("night=*")):
        files = sorted(folder.glob("*.parquet"))
        hit = (
            pl.scan_parquet(files)
            .select(pl.col("student_id").is_in(pl.Series(student_ids).implode()).any())
            .collect()
            .item()
        )
        if hit:
            nights.add(date.fromisoformat(folder.name.removeprefix("night=")))
    return [PartitionRef(institution_id, n) for n in sorted(nights)]


AUDIT_EVENT: Final = "erasure_applied"
WITHDRAWAL_EVENT: Final = "consent_withdrawal_applied"
AUDIT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "at": pl.Datetime("us", "UTC"),
    "event": pl.String(),
    "institution_id": pl.String(),
    "student_pseudonym": pl.String(),
    "requested_at": pl.Datetime("us", "UTC"),
    "night": pl.Date(),
    "detail": pl.String(),
}
"""A rights event: `requested_at` is when the student asked (erasure) or withdrew (the consent
row's `updated_at`); `detail` says what was done, in counts and release ids only."""


def write_audit_event(
    home: LakehouseHome,
    name: str,
    *,
    event: str,
    institution_id: str,
    pseudonym: str | None = None,
    requested_at: datetime | None = None,
    night: date | None = None,
    detail: str = "",
) -> bool:
    """Write one audit event as `lake/gold/audit/<name>.parquet` unless that file exists (the
    name makes an event idempotent); returns whether it was written."""
    home.audit.mkdir(parents=True, exist_ok=True)
    target = home.audit / f"{name}.parquet"
    if target.exists():
        return False
    row = {
        "at": datetime.now(UTC),
        "event": event,
        "institution_id": institution_id,
        "student_pseudonym": pseudonym,
        "requested_at": requested_at,
        "night": night,
        "detail": detail,
    }
    with atomic_file(target) as staged:
        pl.DataFrame([row], schema=AUDIT_SCHEMA).write_parquet(staged)
    return True


def audit_erasures(
    home: LakehouseHome,
    institution_id: str,
    *,
    pseudonyms: pl.Series,
    requests: pl.DataFrame,
    detail: str = "",
) -> int:
    """Record each request once in `lake/gold/audit/` with the pseudonym only (never the raw id);
    returns how many new events were written. The file name is derived from the pseudonym, so
    re-running never duplicates an event."""
    return sum(
        write_audit_event(
            home,
            f"{AUDIT_EVENT}-{institution_id}-{pseudonym}",
            event=AUDIT_EVENT,
            institution_id=institution_id,
            pseudonym=pseudonym,
            requested_at=requested_at,
            detail=detail,
        )
        for pseudonym, requested_at in zip(
            pseudonyms.to_list(), requests.get_column("requested_at").to_list(), strict=True
        )
    )
