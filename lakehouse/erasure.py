"""Erasure requests (`landing/<inst>/erasure/*.csv`): a listed student's data leaves every layer.

Landing files are never modified, so erasure is enforced where data enters: bronze ingestion drops
an erased student's records (counted as `erased`, nothing of them kept) and blanks the raw content
of any quarantined record that mentions them. Re-running an old night therefore cannot bring them
back, and re-running the partitions that held them rewrites every downstream layer without them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.reference import read_reference_csv
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
    root = home.table_dir("bronze", "raw_submissions") / f"institution={institution_id}"
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


def audit_erasures(
    home: LakehouseHome, institution_id: str, *, pseudonyms: pl.Series, requests: pl.DataFrame
) -> int:
    """Record each request once in `lake/gold/audit/` with the pseudonym only (never the raw id);
    returns how many new events were written. The file name is derived from the pseudonym, so
    re-running never duplicates an event."""
    home.audit.mkdir(parents=True, exist_ok=True)
    written = 0
    for pseudonym, requested_at in zip(
        pseudonyms.to_list(), requests.get_column("requested_at").to_list(), strict=True
    ):
        target = home.audit / f"{AUDIT_EVENT}-{institution_id}-{pseudonym}.parquet"
        if target.exists():
            continue
        pl.DataFrame(
            {
                "at": [datetime.now(UTC)],
                "event": [AUDIT_EVENT],
                "institution_id": [institution_id],
                "student_pseudonym": [pseudonym],
                "requested_at": [requested_at],
            },
            schema={
                "at": pl.Datetime("us", "UTC"),
                "event": pl.String,
                "institution_id": pl.String,
                "student_pseudonym": pl.String,
                "requested_at": pl.Datetime("us", "UTC"),
            },
        ).write_parquet(target.with_suffix(".tmp"))
        target.with_suffix(".tmp").rename(target)
        written += 1
    return written
