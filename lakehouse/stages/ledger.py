"""The ledger stage: what happened to every landed record, per institution and night.

Each stage writes its own counts (long form: stage, metric, reason, count) in the same atomic
transaction as its data, so counts never disagree with the rows they describe. `build_ledger`
pivots them into one row per partition and checks the contract's reconciliation:

    landed   = accepted + quarantined + erased   (erased: records of students who asked for
                                                erasure, dropped at ingestion; 0 otherwise)
    accepted = excluded + consented
    consented = scrubbed                 (once the privacy stage has run)
    scrubbed = kept + dropped            (once the filter chain has run)

`ledger_partition` gathers every stage's counts of one partition and publishes its
`partition_ledger` row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition
from lakehouse.tables import COUNTS_TABLE, LEDGER_TABLE

COUNTS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "stage": pl.String(),
    "metric": pl.String(),
    "reason": pl.String(),
    "count": pl.Int64(),
}


def counts_table(stage: str) -> str:
    """The lake table (under gold) holding one stage's counts."""
    return f"{COUNTS_TABLE}/stage={stage}"


def counts_frame(
    ref: PartitionRef,
    *,
    stage: str,
    totals: Mapping[str, int],
    by_reason: Mapping[str, Mapping[str, int]] | None = None,
) -> pl.DataFrame:
    """Long-form counts for one stage of one partition.

    `totals` holds plain metrics (`landed`, `accepted`, ...); `by_reason` the breakdown of a
    metric (`{"quarantined": {"bad_timestamp": 2}}`). A metric's total is always written, even
    when its breakdown is empty, so a zero is visible.
    """
    rows: list[tuple[str, str | None, int]] = [(m, None, int(n)) for m, n in totals.items()]
    for metric, reasons in (by_reason or {}).items():
        rows += [(metric, r, int(n)) for r, n in sorted(reasons.items())]
    return pl.DataFrame(
        {
            "institution_id": [ref.institution_id] * len(rows),
            "night": [ref.night] * len(rows),
            "stage": [stage] * len(rows),
            "metric": [m for m, _, _ in rows],
            "reason": [r for _, r, _ in rows],
            "count": [n for _, _, n in rows],
        },
        schema=COUNTS_SCHEMA,
    )


LEDGER_METRICS: Final[tuple[str, ...]] = (
    "landed",
    "accepted",
    "quarantined",
    "erased",
    "excluded",
    "consented",
    "scrubbed",
    "kept",
    "dropped",
)


def build_ledger(counts: pl.DataFrame) -> pl.DataFrame:
    """One row per (institution_id, night): every metric, its breakdown as a JSON object, and
    `reconciles` (true only when every identity whose stages have run holds exactly)."""
    keys = ["institution_id", "night"]
    totals = (
        counts.filter(pl.col("reason").is_null())
        .group_by(*keys, "metric")
        .agg(pl.col("count").sum())
        .pivot(on="metric", index=keys, values="count")
    )
    for metric in LEDGER_METRICS:
        if metric not in totals.columns:
            totals = totals.with_columns(pl.lit(None, pl.Int64).alias(metric))
    breakdowns = (
        counts.filter(pl.col("reason").is_not_null())
        .group_by(*keys, "metric")
        .agg(pl.struct("reason", "count").sort_by("reason").alias("items"))
    )
    detail = pl.DataFrame(
        {
            "institution_id": breakdowns.get_column("institution_id"),
            "night": breakdowns.get_column("night"),
            "metric": breakdowns.get_column("metric") + "_by_reason",
            "json": [
                json.dumps({i["reason"]: i["count"] for i in items}, sort_keys=True)
                for items in breakdowns.get_column("items").to_list()
            ],
        },
        schema={
            "institution_id": pl.String,
            "night": pl.Date,
            "metric": pl.String,
            "json": pl.String,
        },
    )
    ledger = totals.select(*keys, *(pl.col(m).cast(pl.Int64) for m in LEDGER_METRICS))
    if detail.height:
        ledger = ledger.join(
            detail.pivot(on="metric", index=keys, values="json"), on=keys, how="left"
        )
    for metric in ("quarantined", "excluded", "dropped"):
        name = f"{metric}_by_reason"
        value = pl.col(name) if name in ledger.columns else pl.lit(None, pl.String)
        ledger = ledger.with_columns(value.fill_null("{}").alias(name))
    identities = [
        pl.col("landed")
        == pl.col("accepted") + pl.col("quarantined") + pl.col("erased").fill_null(0),
        pl.col("consented").is_null()
        | (pl.col("accepted") == pl.col("excluded") + pl.col("consented")),
        pl.col("scrubbed").is_null() | (pl.col("scrubbed") == pl.col("consented")),
        pl.col("kept").is_null() | (pl.col("scrubbed") == pl.col("kept") + pl.col("dropped")),
    ]
    reconciles = pl.all_horizontal(*identities).fill_null(False)
    # a fixed column order: the pivots order the breakdown columns as the group-by met them
    by_reason = sorted(c for c in ledger.columns if c.endswith("_by_reason"))
    return (
        ledger.select(*keys, *LEDGER_METRICS, *by_reason)
        .with_columns(reconciles.alias("reconciles"))
        .sort(keys)
    )


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
