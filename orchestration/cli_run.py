"""`lakehouse run`: materialise the selected landed partitions through Dagster, one run each,
print each outcome as it comes, then publish the exports release and the warehouse."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from lakehouse.access import secure_home
from lakehouse.atomic import exclusive_lock
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.markdown import print_table
from lakehouse.partition_runs import LEDGER_FIELDS, PartitionRun
from lakehouse.pseudonym import PseudonymKeyError, load_key
from orchestration.cli_common import (
    UsageError,
    lakehouse_home,
    one_line,
    select_partitions,
    ui_command,
)

DAGSTER_YAML = """\
telemetry:
  enabled: false
"""


def prepare_dagster_home(home: LakehouseHome) -> Path:
    """Use `$DAGSTER_HOME`, else `<home>/.dagster`, so the Dagster UI shows the CLI's runs."""
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or home.root / ".dagster")
    try:
        dagster_home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot use DAGSTER_HOME {dagster_home}: {exc.strerror}") from None
    # private (issue 15) once every argument is known to be good (a mistake writes nothing),
    # before Dagster writes its instance files under the home
    secure_home(home)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    # Two runs started together would both create the instance's SQLite storage and stamp its
    # schema version twice, which breaks every later open: create it once, under a lock.
    with exclusive_lock(dagster_home / ".init.lock"):
        config = dagster_home / "dagster.yaml"
        if not config.exists():
            staging = config.with_name(".dagster.yaml.tmp")
            staging.write_text(DAGSTER_YAML)
            os.replace(staging, config)
        from dagster import DagsterInstance

        # not `with`: entering would also make it the process's current instance
        DagsterInstance.get().dispose()
    return dagster_home


def check_first_night(refs: Sequence[PartitionRef]) -> None:
    """Every selected night is on or after `$LAKEHOUSE_FIRST_NIGHT`, when that is set: nights
    before it are never registered as partitions, so running them would bypass the setting."""
    from assets.partitions import FIRST_NIGHT_VARIABLE, configured_first_night

    try:
        start = configured_first_night()
    except ValueError as exc:  # a malformed $LAKEHOUSE_FIRST_NIGHT
        raise UsageError(str(exc)) from None
    early = sorted({r.night for r in refs if start is not None and r.night < start})
    if start is not None and early:
        raise UsageError(
            f"night {early[0].isoformat()} is before the first night of the partitions "
            f"({start.isoformat()}, from ${FIRST_NIGHT_VARIABLE}): "
            f"set {FIRST_NIGHT_VARIABLE}={early[0].isoformat()} or earlier, or unset it"
        )


def _print_result(i: int, n: int, run: PartitionRun) -> None:
    print(f"[{i}/{n}] {run.ref}: {run.status} in {run.seconds:.1f}s (run {run.run_id[:8]})")
    if run.blocked_by:
        print(f"    blocked by quality gate(s): {', '.join(run.blocked_by)}")
    for error in run.errors:
        print(f"    {error.step}: {one_line(error.message)}")


def _results_table(runs: Sequence[PartitionRun]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "institution_id": r.ref.institution_id,
                "night": r.ref.night,
                "status": r.status,
                **{k: r.ledger.get(k) for k in LEDGER_FIELDS},
                "reconciles": r.reconciles,
                "seconds": r.seconds,
            }
            for r in runs
        ],
        schema_overrides={k: pl.Int64 for k in LEDGER_FIELDS} | {"reconciles": pl.Boolean},
    )


def cmd_run(args: argparse.Namespace) -> int:
    home = lakehouse_home(args)
    refs = select_partitions(home, args.institution, args.night)
    try:
        load_key()
    except PseudonymKeyError as exc:
        raise UsageError(str(exc)) from None
    check_first_night(refs)
    prepare_dagster_home(home)
    from orchestration.runner import run_partitions

    # Dagster's console logger would print each failure again with its stack trace on stderr;
    # the failure's cause is reported once, below, instead
    outcomes = run_partitions(home=home, refs=refs, on_result=_print_result, log_level="CRITICAL")
    print_table(_results_table(outcomes.results))
    errors = [
        f"error: {r.ref}: {e.step}: {one_line(e.message)}"
        for r in outcomes.results
        for e in r.errors
    ]
    print(f"\nlake: {home.lake}\nledger: lakehouse status --home {shlex.quote(str(home.root))}")
    print(f"Dagster UI on this home: {ui_command(home)}")
    if outcomes.blocked:
        print(
            f"{outcomes.blocked} partition(s) blocked by a quality gate: "
            "`lakehouse status` says which expectation and what to do"
        )
    published = True
    if not args.no_publish:
        from orchestration.runner import publish

        print("\npublishing the exports release and the warehouse ...", flush=True)
        # dbt's own console output goes to a log file (in the Dagster UI it is the step's log)
        log = home.root / ".warehouse" / "publish.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out, contextlib.redirect_stdout(out):
            release = publish(home=home, log_level="CRITICAL")
        if release.exports:
            print("\nexports (" + str(home.exports) + "):")
            print_table(release.exports_table())
        if release.warehouse_models:
            print(f"warehouse: {home.warehouse} ({release.warehouse_models} dbt models; log {log})")
        errors += [f"error: publish: {message}" for message in release.messages]
        published = release.success
    for error in errors:
        print(error, file=sys.stderr)
    return 0 if outcomes.failed == 0 and published else 1
