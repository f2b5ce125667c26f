"""`lakehouse status`: each landed partition's state, counts and gate verdicts, and what to do
about the ones that need attention."""

from __future__ import annotations

import argparse
import shlex
from datetime import datetime
from typing import Any, Final

import polars as pl

from expectations.overrides import NOT_OVERRIDABLE
from expectations.results import RESULTS_SCHEMA, RESULTS_TABLE
from expectations.suites.exports import gate_name
from lakehouse.exports import DATASETS, published_summary
from lakehouse.exports.scope import PARTITION_GATES
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.landed_records import count_landed_records
from lakehouse.markdown import print_table
from lakehouse.partition_runs import LEDGER_FIELDS, PartitionRun, read_partition_runs
from lakehouse.stages.ledger import build_ledger
from lakehouse.tables import COUNTS_TABLE
from orchestration.cli_common import lakehouse_home, one_line, ui_command

GATE_ORDER: Final[dict[str, int]] = {
    gate: i
    for i, gate in enumerate((*PARTITION_GATES, *(gate_name(dataset) for dataset in DATASETS)))
}
"""Gates in the order the pipeline runs them: the partition gates, then the exports gates."""


def _ledgers(home: LakehouseHome) -> pl.DataFrame:
    """The ledger of every partition any stage has counted (blocked ones included, with the
    columns of stages that did not run left null)."""
    root = home.table_dir("gold", COUNTS_TABLE)
    files = sorted(root.glob("stage=*/institution=*/night=*/*.parquet")) if root.is_dir() else []
    if not files:
        return pl.DataFrame(
            schema={"institution_id": pl.String, "night": pl.Date}
            | {k: pl.Int64 for k in LEDGER_FIELDS}
            | {"reconciles": pl.Boolean}
        )
    counts = pl.read_parquet(files, hive_partitioning=False).select(
        "institution_id", "night", "stage", "metric", "reason", "count"
    )
    return build_ledger(counts).select("institution_id", "night", *LEDGER_FIELDS, "reconciles")


def _gate_results(home: LakehouseHome) -> pl.DataFrame:
    root = home.table_dir("gold", RESULTS_TABLE)
    files = sorted(root.glob("gate=*/institution=*/night=*/*.parquet")) if root.is_dir() else []
    if not files:
        return pl.DataFrame(schema=RESULTS_SCHEMA)
    return pl.read_parquet(files, hive_partitioning=False)


def gate_summary(results: pl.DataFrame) -> pl.DataFrame:
    """Per partition, each gate's latest verdict (`bronze:ok consent:FAILED ...`) and when the
    last of them was evaluated."""
    verdicts = (
        results.group_by("institution_id", "night", "gate")
        .agg(
            pl.col("success").all().alias("ok"),
            pl.col("overridden").any().alias("overridden"),
            pl.col("evaluated_at").max(),
        )
        .with_columns(
            pl.concat_str(
                "gate",
                pl.when("ok")
                .then(pl.lit(":ok"))
                .when("overridden")
                .then(pl.lit(":overridden"))
                .otherwise(pl.lit(":FAILED")),
            ).alias("verdict")
        )
    )
    return (
        verdicts.with_columns(pl.col("gate").replace_strict(GATE_ORDER, default=9).alias("_o"))
        .sort("_o")
        .group_by("institution_id", "night", maintain_order=True)
        .agg(
            pl.col("verdict").str.join(" ").alias("gates"),
            pl.col("evaluated_at").max().alias("gates_evaluated_at"),
        )
    )


def _blocking(results: pl.DataFrame, ref: PartitionRef) -> list[str]:
    """`<gate> gate: <expectation> [on <column>] (observed ...)` for each failed expectation of
    the partition's latest gate results that no override acknowledged."""
    failed = results.filter(
        (pl.col("institution_id") == ref.institution_id)
        & (pl.col("night") == ref.night)
        & ~pl.col("success")
        & ~pl.col("overridden")
    )
    lines = []
    for row in failed.sort(pl.col("gate").replace_strict(GATE_ORDER, default=9)).iter_rows(
        named=True
    ):
        column = f" on {row['column']}" if row["column"] else ""
        observed = f" (observed {row['observed_value']})" if row["observed_value"] else ""
        lines.append(f"{row['gate']} gate: {row['expectation']}{column}{observed}")
    return lines


def _partition_state(row: dict[str, Any], run: PartitionRun | None, blocking: list[str]) -> str:
    """ok, blocked, failed, incomplete or not yet run: the last CLI run's own outcome while no
    gate has been evaluated since (a later run from the UI or a schedule), else the lake's."""
    gates_at: datetime | None = row.get("gates_evaluated_at")
    if run is not None and (gates_at is None or run.finished_at >= gates_at):
        return run.status
    if blocking:
        return "blocked"
    if row.get("consented") is not None and row.get("kept") is not None:
        return "ok"
    if row.get("accepted") is not None:
        return "incomplete"
    return "not yet run"


def _attention(
    home: LakehouseHome,
    ref: PartitionRef,
    state: str,
    blocking: list[str],
    run: PartitionRun | None,
) -> str | None:
    """What to do about a blocked, failed or incomplete partition (None: nothing to do)."""
    rerun = (
        f"lakehouse run --home {shlex.quote(str(home.root))} "
        f"--institution {ref.institution_id} --night {ref.night}"
    )
    if state == "blocked":
        gates = "; ".join(blocking) or ", ".join(run.blocked_by if run else ())
        first_gate = (blocking[0] if blocking else "<gate>").split(" ", 1)[0]
        override = home.quality_overrides / first_gate / ref.institution_id
        acknowledge = (
            f"the {first_gate} gate cannot be overridden"
            if first_gate in NOT_OVERRIDABLE
            else "or acknowledge it (acknowledged_by, reason, expires) in "
            f"{override / ref.night.isoformat()}.yaml"
        )
        return (
            f"{ref}: blocked by {gates}. Fix the landed data (or the gate's threshold in "
            f"config/quality/{ref.institution_id}.yaml) and re-run: {rerun}; {acknowledge}"
        )
    if state == "failed":
        why = (
            "; ".join(f"{e.step}: {one_line(e.message)}" for e in run.errors)
            if run and run.errors
            else "no error was recorded"
        )
        return f"{ref}: failed: {why}. Fix the cause, then re-run: {rerun}"
    if state == "incomplete":
        return f"{ref}: incomplete (an interrupted run?): re-run: {rerun}"
    return None


def cmd_status(args: argparse.Namespace) -> int:
    home = lakehouse_home(args)
    refs = sorted(home.landed_partitions(), key=lambda r: (r.institution_id, r.night))
    results = _gate_results(home)
    runs = read_partition_runs(home)
    table = (
        pl.DataFrame(
            {
                "institution_id": [r.institution_id for r in refs],
                "night": [r.night for r in refs],
            },
            schema={"institution_id": pl.String, "night": pl.Date},
        )
        .join(_ledgers(home), on=["institution_id", "night"], how="left")
        .join(gate_summary(results), on=["institution_id", "night"], how="left")
    )
    states: list[str] = []
    landed: list[int | None] = []
    attention: list[str] = []
    for ref, row in zip(refs, table.iter_rows(named=True), strict=True):
        blocking = _blocking(results, ref)
        state = _partition_state(row, runs.get(ref), blocking)
        states.append(state)
        # a partition bronze has not counted yet: count its records the way bronze will
        landed.append(
            row["landed"] if row["landed"] is not None else count_landed_records(home, ref)
        )
        todo = _attention(home, ref, state, blocking, runs.get(ref))
        if todo is not None:
            attention.append(todo)
    table = table.with_columns(
        pl.Series("status", states, pl.String), pl.Series("landed", landed, pl.Int64)
    ).select(
        "institution_id",
        "night",
        "status",
        *LEDGER_FIELDS,
        "reconciles",
        pl.col("gates").fill_null(""),
    )
    print_table(table)
    tally = {s: states.count(s) for s in ("ok", "blocked", "failed", "incomplete", "not yet run")}
    print(
        f"{len(refs)} partitions landed: "
        + ", ".join(f"{n} {s}" for s, n in tally.items() if n or s in ("ok", "not yet run"))
    )
    if attention:
        print("\nneeds attention:")
        for line in attention:
            print(f"  {line}")
    if tally["not yet run"]:
        print(f"\nto run what has not run yet: lakehouse run --home {shlex.quote(str(home.root))}")
    exports = published_summary(home)
    if exports.height:
        print(f"\nexports, latest release of each dataset ({home.exports}):")
        print_table(exports)
    if home.warehouse.is_file():
        print(f"warehouse: {home.warehouse} (duckdb -readonly {home.warehouse})")
    print(f"Dagster UI on this home: {ui_command(home)}")
    return 0
