"""Erasure requests (`landing/<inst>/erasure/*.csv`): a listed student's data leaves every layer.

Landing files are never modified, so erasure is enforced where data enters: bronze ingestion drops
an erased student's records (counted as `erased`, nothing of them kept) and blanks the raw content
of any quarantined record that mentions them. Re-running an old night therefore cannot bring them
back, and re-running the partitions that held them rewrites every downstream layer without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

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
