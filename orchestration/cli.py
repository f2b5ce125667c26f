"""`lakehouse`: the operator CLI (generate sample data, run partitions through Dagster, status).

Every argument is checked before any work starts: a mistake is one `error:` line on stderr that
says what was wrong and what is allowed, exit code 2, and nothing written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import polars as pl

from expectations.overrides import NOT_OVERRIDABLE
from expectations.results import RESULTS_SCHEMA, RESULTS_TABLE
from lakehouse.access import secure_home
from lakehouse.atomic import exclusive_lock
from lakehouse.exports import published_summary
from lakehouse.home import INSTITUTION_ID, NIGHT_FOLDER, LakehouseHome, PartitionRef
from lakehouse.institution_config import InstitutionConfig, write_institution_config
from lakehouse.landed_records import count_landed_records
from lakehouse.partition_runs import LEDGER_FIELDS, PartitionRun, read_partition_runs
from lakehouse.pseudonym import PseudonymKeyError, load_key
from lakehouse.stages.ledger import build_ledger
from lakehouse.tables import COUNTS_TABLE

DAGSTER_YAML = """\
telemetry:
  enabled: false
"""
GATE_ORDER = {"bronze": 0, "consent": 1, "silver": 2, "curated": 3, "reward": 4}


class UsageError(Exception):
    """A mistake in the command line or its environment: reported as one `error:` line, rc 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake as one line (no usage block) and lets `main` return 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")


def night_arg(text: str) -> date:
    """A night as the landing zone names it: `YYYY-MM-DD`, a real calendar date."""
    if not NIGHT_FOLDER.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a night: write it as YYYY-MM-DD, e.g. 2026-01-05"
        )
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a calendar date ({exc}): write it as YYYY-MM-DD, e.g. 2026-01-05"
        ) from None


def count_arg(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
            shown = repr(text)
        else:
            shown = str(value)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{shown} is not a whole number >= {minimum}")
        return value

    return parse


def institution_arg(text: str) -> str:
    if not INSTITUTION_ID.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an institution id (a landing folder name: letters, digits, "
            "'_', '.', '-', starting with a letter or digit, at most 64 characters)"
        )
    return text


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


def check_first_night(home: LakehouseHome, refs: Sequence[PartitionRef]) -> None:
    """Every selected night is on or after `$LAKEHOUSE_FIRST_NIGHT`, when that is set: nights
    before it are never registered as partitions, so running them would bypass the setting."""
    from orchestration.partitions import FIRST_NIGHT_VARIABLE, configured_first_night

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


def ui_command(home: LakehouseHome) -> str:
    """The exact command that opens the Dagster UI on `home` (loopback only)."""
    dagster_home = os.environ.get("DAGSTER_HOME") or str(home.root / ".dagster")
    dagster = Path(sys.executable).parent / "dagster"
    return (
        f"LAKEHOUSE_HOME={shlex.quote(str(home.root))} "
        f"DAGSTER_HOME={shlex.quote(dagster_home)} "
        f"{shlex.quote(str(dagster))} dev -m orchestration.definitions -h 127.0.0.1 -p 3000"
    )


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


def _make_home(path: Path) -> None:
    """Create the home folder (the first thing `generate` writes), or say why it cannot be."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--home {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"cannot write to --home {path}: {exc.strerror}") from None


def cmd_generate(args: argparse.Namespace) -> int:
    from lakehouse.generate import generate_home
    from lakehouse.generate.night import MIN_MALFORMED_ROWS

    if not args.clean and args.submissions < MIN_MALFORMED_ROWS:
        raise UsageError(
            f"--submissions {args.submissions} is too few: with malformed input (the default) "
            f"every night carries one record of each defect, so it needs at least "
            f"{MIN_MALFORMED_ROWS}; add --clean (no malformed input) for fewer"
        )
    try:
        args.start_night + timedelta(days=args.nights - 1)
    except OverflowError:
        raise UsageError(
            f"--start-night {args.start_night} plus --nights {args.nights} runs past year 9999"
        ) from None
    home = LakehouseHome.from_env(args.home)
    _make_home(home.root)
    started = time.perf_counter()
    summary = generate_home(
        home=home.root,
        institutions=args.institutions,
        nights=args.nights,
        submissions_per_night=args.submissions,
        seed=args.seed,
        start_night=args.start_night,
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


def lakehouse_home(args: argparse.Namespace) -> LakehouseHome:
    """The chosen home, which must hold a landing zone."""
    home = LakehouseHome.from_env(args.home)
    if not home.landing.is_dir():
        what = "does not exist" if not home.root.exists() else "has no landing/ folder"
        raise UsageError(
            f"{home.root} is not a lakehouse home ({what}; no landing zone at {home.landing}): "
            "point --home (or $LAKEHOUSE_HOME) at one, or create a sample with "
            "`lakehouse generate --home DIR`"
        )
    return home


def _listed(values: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return f"{shown}, ... ({len(values)} in all)" if len(values) > limit else shown


def select_partitions(
    home: LakehouseHome, institution: str | None, night: date | None
) -> list[PartitionRef]:
    """The landed partitions the selection names; a name that has not landed is a UsageError
    listing what has."""
    refs = home.landed_partitions()
    if not refs:
        raise UsageError(
            f"nothing has landed in {home.landing}: it holds no <institution>/<YYYY-MM-DD>/ folder"
        )
    if institution is not None:
        landed = sorted({r.institution_id for r in refs})
        if institution not in landed:
            raise UsageError(
                f"institution {institution!r} has not landed in {home.landing}; "
                f"landed institutions: {_listed(landed)}"
            )
        refs = [r for r in refs if r.institution_id == institution]
    if night is not None:
        nights = sorted({r.night.isoformat() for r in refs})
        if night.isoformat() not in nights:
            where = f"for {institution}" if institution else "for any institution"
            raise UsageError(
                f"night {night.isoformat()} has not landed {where}; landed nights: "
                f"{_listed(nights)}"
            )
        refs = [r for r in refs if r.night == night]
    return refs


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _print_result(i: int, n: int, run: PartitionRun) -> None:
    print(f"[{i}/{n}] {run.ref}: {run.status} in {run.seconds:.1f}s (run {run.run_id[:8]})")
    if run.blocked_by:
        print(f"    blocked by quality gate(s): {', '.join(run.blocked_by)}")
    for error in run.errors:
        print(f"    {error.step}: {_one_line(error.message)}")


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
    check_first_night(home, refs)
    prepare_dagster_home(home)
    from orchestration.runner import run_partitions

    # Dagster's console logger would print each failure again with its stack trace on stderr;
    # the failure's cause is reported once, below, instead
    outcomes = run_partitions(home=home, refs=refs, on_result=_print_result, log_level="CRITICAL")
    _print_table(_results_table(outcomes.results))
    errors = [
        f"error: {r.ref}: {e.step}: {_one_line(e.message)}"
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
        if release.exports.height:
            print("\nexports (" + str(home.exports) + "):")
            _print_table(release.exports)
        if release.warehouse_models:
            print(f"warehouse: {home.warehouse} ({release.warehouse_models} dbt models; log {log})")
        errors += [f"error: publish: {message}" for message in release.messages]
        published = release.success
    for error in errors:
        print(error, file=sys.stderr)
    return 0 if outcomes.failed == 0 and published else 1


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
    home_arg = shlex.quote(str(home.root))
    for ref, row in zip(refs, table.iter_rows(named=True), strict=True):
        blocking = _blocking(results, ref)
        run = runs.get(ref)
        state = _partition_state(row, run, blocking)
        states.append(state)
        # a partition bronze has not counted yet: count its records the way bronze will
        landed.append(
            row["landed"] if row["landed"] is not None else count_landed_records(home, ref)
        )
        rerun = (
            f"lakehouse run --home {home_arg} --institution {ref.institution_id} "
            f"--night {ref.night}"
        )
        if state == "blocked":
            gates = "; ".join(blocking) or ", ".join(run.blocked_by if run else ())
            first_gate = (blocking[0] if blocking else "<gate>").split(" ", 1)[0]
            overrides = home.root / "config" / "quality" / "overrides" / first_gate
            acknowledge = (
                f"the {first_gate} gate cannot be overridden"
                if first_gate in NOT_OVERRIDABLE
                else "or acknowledge it (acknowledged_by, reason, expires) in "
                f"{overrides / ref.institution_id / ref.night.isoformat()}.yaml"
            )
            attention.append(
                f"{ref}: blocked by {gates}. Fix the landed data (or the gate's threshold in "
                f"config/quality/{ref.institution_id}.yaml) and re-run: {rerun}; {acknowledge}"
            )
        elif state == "failed":
            why = (
                "; ".join(f"{e.step}: {_one_line(e.message)}" for e in run.errors)
                if run and run.errors
                else "no error was recorded"
            )
            attention.append(f"{ref}: failed: {why}. Fix the cause, then re-run: {rerun}")
        elif state == "incomplete":
            attention.append(f"{ref}: incomplete (an interrupted run?): re-run: {rerun}")
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
    _print_table(table)
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
        print(f"\nto run what has not run yet: lakehouse run --home {home_arg}")
    exports = published_summary(home)
    if exports.height:
        print(f"\nexports, latest release of each dataset ({home.exports}):")
        _print_table(exports)
    if home.warehouse.is_file():
        print(f"warehouse: {home.warehouse} (duckdb -readonly {home.warehouse})")
    print(f"Dagster UI on this home: {ui_command(home)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lakehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{generate,run,status}")
    home_help = "lakehouse home (default: $LAKEHOUSE_HOME or ./lakehouse_home)"

    gen = sub.add_parser("generate", help="write a realistic sample landing zone")
    gen.add_argument("--home", help=home_help)
    gen.add_argument("--institutions", type=count_arg(1), default=3, help=">= 1 (default 3)")
    gen.add_argument("--nights", type=count_arg(1), default=3, help=">= 1 (default 3)")
    gen.add_argument(
        "--submissions",
        type=count_arg(1),
        default=200,
        help="records per institution per night: >= 50, or >= 1 with --clean (default 200)",
    )
    gen.add_argument("--seed", type=count_arg(0), default=0, help=">= 0 (default 0)")
    gen.add_argument(
        "--start-night", type=night_arg, default=date(2026, 1, 5), help="YYYY-MM-DD (2026-01-05)"
    )
    gen.add_argument("--clean", action="store_true", help="no malformed input")
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="materialise landed partitions through every asset")
    run.add_argument("--home", help=home_help)
    run.add_argument("--institution", type=institution_arg, help="only this landed institution")
    run.add_argument("--night", type=night_arg, help="only this landed night (YYYY-MM-DD)")
    run.add_argument(
        "--no-publish",
        action="store_true",
        help="skip the exports release and the warehouse rebuild after the partitions",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser(
        "status", help="each landed partition: its state, counts, gate verdicts, what to do"
    )
    status.add_argument("--home", help=home_help)
    status.set_defaults(func=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
