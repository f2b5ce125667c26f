"""`lakehouse`: the operator CLI (generate sample data, run partitions through Dagster, status)."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl

from lakehouse.exports import published_summary
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import InstitutionConfig, write_institution_config
from lakehouse.lake import table_glob
from lakehouse.pseudonym import PseudonymKeyError, load_key

DAGSTER_YAML = """\
telemetry:
  enabled: false
"""


def prepare_dagster_home(home: LakehouseHome) -> Path:
    """Use `$DAGSTER_HOME`, else `<home>/.dagster`, so `make ui` shows the CLI's runs."""
    dagster_home = Path(os.environ.get("DAGSTER_HOME") or home.root / ".dagster")
    dagster_home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    # Two runs started together would both create the instance's SQLite storage and stamp its
    # schema version twice, which breaks every later open: create it once, under a lock.
    lock = os.open(dagster_home / ".init.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        config = dagster_home / "dagster.yaml"
        if not config.exists():
            staging = config.with_name(".dagster.yaml.tmp")
            staging.write_text(DAGSTER_YAML)
            os.replace(staging, config)
        from dagster import DagsterInstance

        # not `with`: entering would also make it the process's current instance
        DagsterInstance.get().dispose()
    finally:
        os.close(lock)
    return dagster_home


def _print_table(frame: pl.DataFrame) -> None:
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        tbl_formatting="ASCII_MARKDOWN",
        fmt_str_lengths=80,
        tbl_width_chars=200,
    ):
        print(frame)


def cmd_generate(args: argparse.Namespace) -> int:
    from lakehouse.generate import generate_home

    home = LakehouseHome.from_env(args.home)
    started = time.perf_counter()
    summary = generate_home(
        home=home.root,
        institutions=args.institutions,
        nights=args.nights,
        submissions_per_night=args.submissions,
        seed=args.seed,
        start_night=date.fromisoformat(args.start_night),
        malformed=not args.clean,
    )
    print(
        f"generated a sample landing zone in {home.landing} in {time.perf_counter() - started:.1f}s"
    )
    _print_table(
        pl.DataFrame(
            [
                {
                    "institution_id": p.institution_id,
                    "night": p.night,
                    "files": p.files,
                    "landed": p.landed,
                    "malformed": p.quarantined,
                    "planted_pii": p.planted_pii,
                }
                for p in summary.partitions
            ]
        )
    )
    for inst in sorted({p.institution_id for p in summary.partitions}):
        truth = json.loads((home.root / "_truth" / inst / "institution.json").read_text())
        write_institution_config(
            home, inst, InstitutionConfig(roll_number_patterns=(truth["roll_number_regex"],))
        )
    print(f"institution settings (roll-number formats): {home.root / 'config' / 'institutions'}")
    print(f"truth for tests and benchmarks: {home.root / '_truth'} (not part of the landing zone)")
    return 0


def _select(home: LakehouseHome, institution: str | None, night: str | None) -> list[PartitionRef]:
    refs = home.landed_partitions()
    if institution:
        refs = [r for r in refs if r.institution_id == institution]
    if night:
        refs = [r for r in refs if r.night == date.fromisoformat(night)]
    return refs


def cmd_run(args: argparse.Namespace) -> int:
    home = LakehouseHome.from_env(args.home)
    if not home.landing.is_dir():
        print(
            f"error: no landing zone at {home.landing}. Point --home (or $LAKEHOUSE_HOME) at a "
            "lakehouse home, or create one with `lakehouse generate --home DIR`.",
            file=sys.stderr,
        )
        return 2
    refs = _select(home, args.institution, args.night)
    if not refs:
        print("error: no landed partition matches the selection", file=sys.stderr)
        return 2
    try:
        load_key()
    except PseudonymKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    prepare_dagster_home(home)
    from orchestration.runner import run_partitions

    errors: list[str] = []
    current = ""

    def progress(line: str) -> None:
        # the runner reports a partition's outcome, then (indented) why it failed
        nonlocal current
        print(line)
        if not line.startswith(" "):
            current = line.split(":", 1)[0].split("] ", 1)[-1]
        elif not line.strip().startswith("blocked by"):
            errors.append(f"error: {current}: {line.strip()}")

    # Dagster's console logger would print each failure again with its stack trace on stderr;
    # the failure's cause is reported once, below, instead
    outcomes = run_partitions(home=home, refs=refs, progress=progress, log_level="CRITICAL")
    _print_table(outcomes.summary)
    print(f"\nlake: {home.lake}\nledger: lakehouse status --home {home.root}")
    print(f"Dagster runs: make ui (DAGSTER_HOME={os.environ['DAGSTER_HOME']})")
    if outcomes.blocked:
        print(f"{outcomes.blocked} partition(s) blocked by a quality gate: see the check results")
    published = True
    if not args.no_publish:
        from orchestration.runner import publish

        print("\npublishing the exports release and the warehouse ...", flush=True)
        # dbt's own console output goes to a log file (in the Dagster UI it is the step's log)
        log = home.root / ".warehouse" / "publish.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out, contextlib.redirect_stdout(out):
            release = publish(home=home, log_level="CRITICAL")
        if release.exports.height:
            print("\nexports (" + str(home.exports) + "):")
            _print_table(release.exports)
        if release.warehouse_models:
            print(f"warehouse: {home.warehouse} ({release.warehouse_models} dbt models; log {log})")
        for message in release.messages:
            errors.append(f"error: publish: {message}")
        published = release.success
    for error in errors:
        print(error, file=sys.stderr)
    return 0 if outcomes.failed == 0 and published else 1


def cmd_status(args: argparse.Namespace) -> int:
    home = LakehouseHome.from_env(args.home)
    landed = pl.DataFrame(
        {
            "institution_id": [r.institution_id for r in home.landed_partitions()],
            "night": [r.night for r in home.landed_partitions()],
        },
        schema={"institution_id": pl.String, "night": pl.Date},
    )
    ledger_files = list(
        home.table_dir("gold", "partition_ledger").glob("institution=*/night=*/*.parquet")
    )
    if ledger_files:
        ledger = pl.read_parquet(
            table_glob(home, "gold", "partition_ledger"), hive_partitioning=False
        )
        table = landed.join(ledger, on=["institution_id", "night"], how="full", coalesce=True)
    else:
        table = landed.with_columns(pl.lit(None, pl.Int64).alias("landed"))
    table = table.sort("institution_id", "night").select(
        [c for c in table.columns if not c.endswith("_by_reason")]
    )
    gates = gate_summary(home)
    if gates is not None:
        table = table.join(gates, on=["institution_id", "night"], how="left")
    _print_table(table)
    pending = table.filter(pl.col("landed").is_null()).height
    print(
        f"{table.height} partitions landed, {table.height - pending} ingested, {pending} not yet run"
    )
    exports = published_summary(home)
    if exports.height:
        print(f"\nexports, latest release of each dataset ({home.exports}):")
        _print_table(exports)
    if home.warehouse.is_file():
        print(f"warehouse: {home.warehouse} (duckdb -readonly {home.warehouse})")
    return 0


def gate_summary(home: LakehouseHome) -> pl.DataFrame | None:
    """Per partition, each gate's latest verdict (`bronze:ok consent:FAILED ...`)."""
    root = home.table_dir("gold", "quality_results")
    files = sorted(root.glob("gate=*/institution=*/night=*/*.parquet"))
    if not files:
        return None
    results = pl.read_parquet(files, hive_partitioning=False)
    verdicts = (
        results.group_by("institution_id", "night", "gate")
        .agg(
            pl.col("success").all().alias("ok"),
            pl.col("overridden").any().alias("overridden"),
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
    order = {"bronze": 0, "consent": 1, "silver": 2, "curated": 3, "reward": 4}
    return (
        verdicts.with_columns(pl.col("gate").replace_strict(order, default=9).alias("_o"))
        .sort("_o")
        .group_by("institution_id", "night", maintain_order=True)
        .agg(pl.col("verdict").str.join(" ").alias("gates"))
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lakehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    home_help = "lakehouse home (default: $LAKEHOUSE_HOME or ./lakehouse_home)"

    gen = sub.add_parser("generate", help="write a realistic sample landing zone")
    gen.add_argument("--home", help=home_help)
    gen.add_argument("--institutions", type=int, default=3)
    gen.add_argument("--nights", type=int, default=3)
    gen.add_argument(
        "--submissions", type=int, default=200, help="records per institution per night"
    )
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--start-night", default="2026-01-05")
    gen.add_argument("--clean", action="store_true", help="no malformed input")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="materialise landed partitions through every asset")
    run.add_argument("--home", help=home_help)
    run.add_argument("--institution", help="only this institution")
    run.add_argument("--night", help="only this night (YYYY-MM-DD)")
    run.add_argument(
        "--no-publish",
        action="store_true",
        help="skip the exports release and the warehouse rebuild after the partitions",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="a table of partitions and their counts")
    status.add_argument("--home", help=home_help)
    status.set_defaults(func=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
