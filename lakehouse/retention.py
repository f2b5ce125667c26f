"""Retention of raw personal data: landing copies and quarantined records.

Landed night folders and the quarantine's `raw_record` hold raw personal data (names, ids, answer
text before scrubbing). Each institution sets how long they are kept
(`config/institutions/<inst>.yaml`: `landing_retention_days`, default 180;
`quarantine_retention_days`, default 90; counted from the night). `enforce_retention`, run daily by
the `retention_purge` job, then

- deletes a landed night folder older than its retention (the lake's bronze keeps the night's
  rows; a re-run, for an erasure, re-derives bronze from them: `lakehouse.stages.bronze`), and
- blanks `raw_record` of the quarantined records of older nights (the row, its reason and
  provenance stay, so the partition's counts still reconcile),

and writes one audit event per purge (`landing_purged`, `quarantine_purged`: institution, night,
how many records; no content).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal

import polars as pl

from lakehouse.atomic import atomic_file
from lakehouse.erasure import write_audit_event
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import load_institution_config
from lakehouse.readers.common import batch_files

LANDING_PURGED: Final = "landing_purged"
QUARANTINE_PURGED: Final = "quarantine_purged"
QUARANTINE: Final = ("bronze", "quarantine")


@dataclass(frozen=True)
class Purge:
    kind: Literal["landing", "quarantine"]
    ref: PartitionRef
    records: int
    """Landing: batch files deleted; quarantine: records whose raw content was blanked."""


def _cutoffs(home: LakehouseHome, institution_id: str, today: date) -> tuple[date, date]:
    settings = load_institution_config(home, institution_id)
    return (
        today - timedelta(days=settings.landing_retention_days),
        today - timedelta(days=settings.quarantine_retention_days),
    )


def _quarantine_partitions(home: LakehouseHome) -> list[PartitionRef]:
    root = home.table_dir(*QUARANTINE)
    return [
        PartitionRef(
            folder.parent.name.removeprefix("institution="),
            date.fromisoformat(folder.name.removeprefix("night=")),
        )
        for folder in sorted(root.glob("institution=*/night=*"))
        if folder.is_dir()
    ]


def blank_quarantine(home: LakehouseHome, ref: PartitionRef) -> int:
    """Blank `raw_record` in one quarantine partition; returns how many records had content
    (0: nothing was rewritten)."""
    blanked = 0
    for path in sorted(home.partition_dir(*QUARANTINE, ref).glob("*.parquet")):
        frame = pl.read_parquet(path, hive_partitioning=False)
        held = int(frame["raw_record"].is_not_null().sum())
        if not held:
            continue
        with atomic_file(path) as staged:
            frame.with_columns(pl.lit(None, pl.String).alias("raw_record")).write_parquet(staged)
        blanked += held
    return blanked


def enforce_retention(home: LakehouseHome, *, today: date | None = None) -> list[Purge]:
    """Purge what is past retention (see the module docstring); returns what was purged. A
    second call the same day purges nothing."""
    today = today or datetime.now(UTC).date()
    cutoffs: dict[str, tuple[date, date]] = {}
    purged: list[Purge] = []

    def cutoff(institution_id: str) -> tuple[date, date]:
        if institution_id not in cutoffs:
            cutoffs[institution_id] = _cutoffs(home, institution_id, today)
        return cutoffs[institution_id]

    for ref in home.landed_partitions():
        if ref.night >= cutoff(ref.institution_id)[0]:
            continue
        folder = home.night_dir(ref)
        files = len(batch_files(folder))
        shutil.rmtree(folder)
        purged.append(Purge("landing", ref, files))
    for ref in _quarantine_partitions(home):
        if ref.night >= cutoff(ref.institution_id)[1]:
            continue
        records = blank_quarantine(home, ref)
        if records:
            purged.append(Purge("quarantine", ref, records))
    for item in purged:
        event = LANDING_PURGED if item.kind == "landing" else QUARANTINE_PURGED
        write_audit_event(
            home,
            f"{event}-{item.ref.institution_id}-{item.ref.night.isoformat()}-{today.isoformat()}",
            event=event,
            institution_id=item.ref.institution_id,
            night=item.ref.night,
            detail=f"{item.records} {'files' if item.kind == 'landing' else 'records'} purged",
        )
    return purged
