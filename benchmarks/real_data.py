"""The real public data sets (`../shared/data`) run as institutions: what happens to each partition.

    .venv/bin/python benchmarks/real_data.py [--work DIR] [--nights 3] [--saf-rows N] [--gap-rows N]

Lays the sets out with `lakehouse.generate.real` (SAF graded short answers, FLORES-200 in 11
languages, GAP Wikipedia snippets, presidio-research PII sentences), runs `lakehouse run` on the
home as an operator would, then prints, from the lake and the warehouse:

- per institution and night: gate status, landed / scrubbed / kept and the top drop reasons;
- the language-ID accuracy per FLORES language in `fct_documents`;
- the seconds each Dagster step took over the whole run.

Every figure here is measured on text nobody on the team wrote. Needs `LAKEHOUSE_PSEUDONYM_KEY`
(or `_FILE`) like any run.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lakehouse.exports.scope import release_scope  # noqa: E402
from lakehouse.generate.real import flores_truth, lay_out_real_data  # noqa: E402
from lakehouse.home import LakehouseHome  # noqa: E402
from lakehouse.lake import read_partition  # noqa: E402
from lakehouse.markdown import print_table  # noqa: E402
from lakehouse.tables import CURATED_TABLE, LEDGER_TABLE  # noqa: E402

DATA = ROOT / ".." / "shared" / "data"


def _print(title: str, frame: pl.DataFrame) -> None:
    print(f"\n## {title}\n")
    print_table(frame, max_str_len=120, width=250)


def partition_table(home: LakehouseHome) -> pl.DataFrame:
    scope = release_scope(home)
    rows = []
    for ref in home.landed_partitions():
        row: dict[str, object] = {"institution": ref.institution_id, "night": ref.night}
        row["status"] = "ok" if ref in scope.included else f"excluded ({scope.excluded[ref]})"
        try:
            ledger = read_partition(home, "gold", LEDGER_TABLE, ref).row(0, named=True)
        except FileNotFoundError:
            ledger = {}
        for k in ("landed", "quarantined", "excluded", "scrubbed", "kept"):
            row[k] = ledger.get(k)
        try:
            docs = read_partition(home, "silver", CURATED_TABLE, ref)
            top = docs.drop_nulls("drop_reason").group_by("drop_reason").len().sort("len")
            row["top_drop_reasons"] = ", ".join(
                f"{r} {n}" for r, n in reversed(list(top.iter_rows()))
            )
        except FileNotFoundError:
            row["top_drop_reasons"] = ""
        rows.append(row)
    return pl.DataFrame(rows)


def language_table(home: LakehouseHome) -> pl.DataFrame:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        docs = con.execute(
            "select submission_id, language_detected from fct_documents "
            "where institution_id = 'real_flores'"
        ).pl()
    joined = docs.join(flores_truth(DATA), on="submission_id")
    return (
        joined.group_by("language")
        .agg(
            documents=pl.len(),
            accuracy=(pl.col("language_detected") == pl.col("language")).mean().round(4),
            detected_instead=pl.col("language_detected")
            .filter(pl.col("language_detected") != pl.col("language"))
            .unique()
            .sort()
            .str.join(","),
        )
        .sort("language")
    )


def step_seconds(dagster_home: Path) -> pl.DataFrame:
    totals: dict[str, float] = defaultdict(float)
    for db in sorted((dagster_home / "history" / "runs").glob("*.db")):
        with sqlite3.connect(db) as con:
            events = con.execute(
                "select dagster_event_type, step_key, timestamp from event_logs where "
                "dagster_event_type in ('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE') order by id"
            ).fetchall()
        started: dict[str, datetime] = {}
        for kind, step, stamp in events:
            at = datetime.fromisoformat(str(stamp))
            if kind == "STEP_START":
                started[step] = at
            elif step in started:
                totals[step] += (at - started.pop(step)).total_seconds()
    return pl.DataFrame(
        {"step": list(totals), "seconds": [round(v, 1) for v in totals.values()]}
    ).sort("seconds", descending=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=None, help="home folder (default: a temp dir)")
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--saf-rows", type=int, default=None, help="default: all 1,476")
    parser.add_argument("--gap-rows", type=int, default=300)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"error: {DATA} not found (the shared data sets sit beside the project)")
        return 2
    root = args.work or Path(tempfile.mkdtemp(prefix="lakehouse-real-"))
    home = LakehouseHome(root)
    made = lay_out_real_data(
        data_dir=DATA, home=home, nights=args.nights, saf_rows=args.saf_rows, gap_rows=args.gap_rows
    )
    print(f"home: {root}")
    _print(
        "institutions",
        pl.DataFrame(
            [{"institution": m.institution_id, "rows": m.rows, "graded": m.graded} for m in made]
        ),
    )
    env = {**os.environ, "LAKEHOUSE_HOME": str(root), "DAGSTER_HOME": str(root / ".dagster")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--home", str(root)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    print(f"\n`lakehouse run`: exit {done.returncode} in {seconds:.0f}s")
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
    _print("partitions", partition_table(home))
    if home.warehouse.exists():
        _print("language ID on FLORES-200 (fct_documents)", language_table(home))
    _print("Dagster step seconds, whole run", step_seconds(root / ".dagster"))
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
