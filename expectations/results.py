"""Gate results in the lake: one row per expectation per gate run, for dbt and analysts.

Each gate of a partition replaces its own partition of its own table
(`lake/gold/quality_results/gate=<gate>/institution=<id>/night=<date>/`), so gates never overwrite
each other and re-running a gate replaces exactly its previous result. Read them all with the hive
glob `lake/gold/quality_results/gate=*/institution=*/night=*/*.parquet`. The exports gates, which
judge a release rather than a partition, write `lake/gold/export_quality/dataset=<d>/`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final

import polars as pl

from expectations.gate_result import GateResult
from lakehouse.atomic import atomic_file
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition
from lakehouse.tables import EXPORT_QUALITY_TABLE, QUALITY_RESULTS_TABLE

RESULTS_TABLE: Final = QUALITY_RESULTS_TABLE
RESULTS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "gate": pl.String(),
    "expectation": pl.String(),
    "column": pl.String(),
    "success": pl.Boolean(),
    "observed_value": pl.String(),
    "overridden": pl.Boolean(),
    "evaluated_at": pl.Datetime("us", "UTC"),
}


def results_table(gate: str) -> str:
    """The lake table (under gold) holding one gate's results."""
    return f"{RESULTS_TABLE}/gate={gate}"


def results_frame(*, ref: PartitionRef, result: GateResult) -> pl.DataFrame:
    rows = result.expectations
    n = len(rows)
    evaluated_at: datetime = result.evaluated_at
    return pl.DataFrame(
        {
            "institution_id": [ref.institution_id] * n,
            "night": [ref.night] * n,
            "gate": [result.gate] * n,
            "expectation": [o.name for o in rows],
            "column": [o.column for o in rows],
            "success": [o.success for o in rows],
            "observed_value": [o.observed_value for o in rows],
            "overridden": [result.overridden] * n,
            "evaluated_at": [evaluated_at] * n,
        },
        schema=RESULTS_SCHEMA,
    )


def write_gate_results(*, home: LakehouseHome, ref: PartitionRef, result: GateResult) -> Path:
    """Replace the partition's results of this gate, atomically; returns the partition folder."""
    return write_partition(
        home, "gold", results_table(result.gate), ref, results_frame(ref=ref, result=result)
    )


def write_export_quality(
    *, home: LakehouseHome, result: GateResult, dataset: str, release_id: str
) -> Path:
    """The exports gate's outcome per expectation for one dataset's release, replacing the
    previous one atomically; returns the file."""
    n = len(result.expectations)
    frame = pl.DataFrame(
        {
            "dataset": [dataset] * n,
            "release_id": [release_id] * n,
            "expectation": [o.name for o in result.expectations],
            "success": [o.success for o in result.expectations],
            "observed_value": [o.observed_value for o in result.expectations],
            "evaluated_at": [result.evaluated_at] * n,
        },
        schema_overrides={"observed_value": pl.String, "evaluated_at": pl.Datetime("us", "UTC")},
    )
    target = (
        home.table_dir("gold", EXPORT_QUALITY_TABLE) / f"dataset={dataset}" / "part-00000.parquet"
    )
    with atomic_file(target) as staging:
        frame.write_parquet(staging)
    return target
