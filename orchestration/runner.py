"""Running landed partitions through every asset, in-process through Dagster (for the CLI)."""

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from assets.partitions import partition_key, register_partitions
from assets.resources import LakehouseResource
from lakehouse.atomic import exclusive_lock
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.partition_runs import (
    LEDGER_FIELDS,
    PartitionRun,
    RunStatus,
    StepError,
    now,
    write_partition_run,
)
from lakehouse.stages.ledger import build_ledger, stage_counts
from orchestration.definitions import PARTITION_ASSETS


@dataclass(frozen=True)
class RunOutcomes:
    """Every partition's outcome, in the order they ran."""

    results: tuple[PartitionRun, ...]

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.results)

    @property
    def blocked(self) -> int:
        return sum(r.status == "blocked" for r in self.results)


def _step_errors(result: ExecuteInProcessResult) -> tuple[StepError, ...]:
    errors = []
    for failure in result.get_step_failure_events():
        error = failure.step_failure_data.error
        cause = error.cause if error and error.cause else error
        if cause is not None:
            errors.append(StepError(str(failure.step_key), cause.message.strip()))
    return tuple(errors)


def _materialize(
    assets: Sequence[Any],
    *,
    instance: DagsterInstance,
    home: LakehouseHome,
    log_level: str,
    **kw: Any,
) -> ExecuteInProcessResult:
    """One in-process Dagster run of `assets` that reports failure in its result, not by raising."""
    return materialize(
        assets,
        instance=instance,
        resources={"lakehouse": LakehouseResource(home=str(home.root))},
        raise_on_error=False,
        tags={"lakehouse/trigger": "cli"},
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        **kw,
    )


def _partition_outcome(
    home: LakehouseHome, ref: PartitionRef, result: ExecuteInProcessResult, seconds: float
) -> PartitionRun:
    """What the run came to: ok, blocked by failed checks, or failed with its step errors, and
    the partition's ledger as the lake now holds it."""
    failed_checks = tuple(
        sorted(
            f"{c.asset_key.to_user_string()}:{c.check_name}"
            for c in result.get_asset_check_evaluations()
            if not c.passed
        )
    )
    status: RunStatus = "ok" if result.success else ("blocked" if failed_checks else "failed")
    counts = stage_counts(home, ref)
    ledger = build_ledger(counts).row(0, named=True) if counts.height else {}
    return PartitionRun(
        ref=ref,
        status=status,
        run_id=result.run_id,
        finished_at=now(),
        seconds=round(seconds, 1),
        blocked_by=failed_checks,
        errors=() if failed_checks else _step_errors(result),
        ledger={k: ledger.get(k) for k in LEDGER_FIELDS},
        reconciles=ledger.get("reconciles"),
    )


def run_partitions(
    *,
    home: LakehouseHome,
    refs: list[PartitionRef],
    on_result: Callable[[int, int, PartitionRun], None] | None = None,
    log_level: str = "WARNING",
) -> RunOutcomes:
    """Materialise every asset for each partition, one Dagster run per partition.

    A partition that fails (or is stopped by a blocking check) is reported and the others go on.
    Each outcome is recorded in `<home>/.runs/` (for `lakehouse status`) and handed to
    `on_result(i, n, outcome)` as soon as its partition is done.
    """
    # Entering the instance makes it the process's current one for definition loading; without
    # it, an earlier short-lived instance in the same process (tests, notebooks) can leave a dead
    # reference behind and `materialize` fails on it.
    with DagsterInstance.get() as instance:
        register_partitions(instance, refs)
        results: list[PartitionRun] = []
        for i, ref in enumerate(refs, start=1):
            started = time.perf_counter()
            result = _materialize(
                PARTITION_ASSETS,
                instance=instance,
                home=home,
                log_level=log_level,
                partition_key=partition_key(ref),
            )
            outcome = _partition_outcome(home, ref, result, time.perf_counter() - started)
            write_partition_run(home, outcome)
            results.append(outcome)
            if on_result is not None:
                on_result(i, len(refs), outcome)
        return RunOutcomes(results=tuple(results))


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """One dataset's release as the exports asset recorded it."""

    dataset: str
    release: str
    rows: int
    tokens: int
    shards: int
    gate: str
    """"ok", "BLOCKED" (its exports gate failed: not published) or "n/a"."""


@dataclass(frozen=True)
class PublishOutcome:
    success: bool
    exports: tuple[ExportOutcome, ...]
    warehouse_models: int
    """dbt models published in warehouse.duckdb by this run (0: the warehouse was not rebuilt)."""
    blocked_exports: tuple[str, ...]
    """Export assets whose gate failed (not published)."""
    errors: tuple[StepError, ...]

    @property
    def messages(self) -> list[str]:
        """What went wrong, one line each (blocked exports, then step errors)."""
        return [
            f"{name}: blocked by its exports gate (not published)" for name in self.blocked_exports
        ] + [f"{e.step}: {e.message}" for e in self.errors]

    def exports_table(self) -> pl.DataFrame:
        """One row per dataset: dataset, release, rows, tokens, shards, gate."""
        return pl.DataFrame([asdict(e) for e in self.exports])


def _count(metadata: Mapping[str, Any], key: str) -> int:
    value = metadata[key].value
    if not isinstance(value, int):
        raise TypeError(f"materialization metadata {key!r} is {value!r}, not a count")
    return value


def publish(*, home: LakehouseHome, log_level: str = "WARNING") -> PublishOutcome:
    """Materialise the release-level assets (exports, then the warehouse) in one Dagster run.

    Exports cover every partition whose gates all passed; the warehouse is rebuilt from the lake
    (with the exports' contributor ledger) into a fresh file and swapped in atomically."""
    from orchestration.definitions import RELEASE_ASSETS

    # two `lakehouse run`s of different partitions may finish together: releases are built one
    # at a time (the lock is released when the descriptor closes, even if the process dies)
    with exclusive_lock(home.root / ".publish.lock"), DagsterInstance.get() as instance:
        result = _materialize(RELEASE_ASSETS, instance=instance, home=home, log_level=log_level)
    gates = {
        c.asset_key.to_user_string(): "ok" if c.passed else "BLOCKED"
        for c in result.get_asset_check_evaluations()
    }
    exports = []
    warehouse_models = 0
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        name = materialization.asset_key.to_user_string()
        meta = materialization.metadata
        if name.startswith("warehouse/"):
            warehouse_models += 1
        elif name.endswith("_export"):
            exports.append(
                ExportOutcome(
                    dataset=name.removesuffix("_export"),
                    release=str(meta["release_id"].value),
                    rows=_count(meta, "dagster/row_count"),
                    tokens=_count(meta, "tokens"),
                    shards=_count(meta, "shards"),
                    gate=gates.get(name, "n/a"),
                )
            )
    return PublishOutcome(
        success=result.success,
        exports=tuple(exports),
        warehouse_models=warehouse_models,
        blocked_exports=tuple(name for name, verdict in gates.items() if verdict == "BLOCKED"),
        errors=_step_errors(result),
    )
