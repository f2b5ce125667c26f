"""Building the gold `partition_ledger` table of one partition from every stage's counts."""

from __future__ import annotations

from typing import Final

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition
from lakehouse.ledger import COUNTS_SCHEMA, COUNTS_TABLE, build_ledger

LEDGER_TABLE: Final = "partition_ledger"


def stage_counts(home: LakehouseHome, ref: PartitionRef) -> pl.DataFrame:
    """Every stage's counts for one partition (stages that have not run are simply absent)."""
    root = home.table_dir("gold", COUNTS_TABLE)
    pattern = f"stage=*/institution={ref.institution_id}/night={ref.night.isoformat()}/*.parquet"
    files = sorted(root.glob(pattern)) if root.is_dir() else []
    if not files:
        return pl.DataFrame(schema=COUNTS_SCHEMA)
    return pl.read_parquet(files, hive_partitioning=False).select(list(COUNTS_SCHEMA))


def ledger_partition(*, home: LakehouseHome, ref: PartitionRef) -> pl.DataFrame:
    """Build and publish the ledger row of one partition; returns it."""
    counts = stage_counts(home, ref)
    if counts.is_empty():
        raise FileNotFoundError(
            f"no stage counts for partition {ref}: materialise raw_submissions for it first"
        )
    ledger = build_ledger(counts)
    write_partition(home, "gold", LEDGER_TABLE, ref, ledger)
    return ledger
