"""Helpers for the reliability tests: run the `lakehouse` CLI as a real process, and read back a
home's published state (every lake partition, the audit log and the dedup index) so two homes can
be compared table by table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import polars as pl

from lakehouse.filters import DedupIndex

LAKEHOUSE: Final = [sys.executable, "-m", "orchestration.cli"]

IGNORED_COLUMNS: Final[Mapping[str, Mapping[str, str]]] = {
    "quality_results": {"evaluated_at": "wall-clock time at which the gate was evaluated"},
    "audit": {"at": "wall-clock time of the erasure event (written once per request)"},
}
"""Columns that legitimately differ between two runs on the same input, by table, with why."""


def cli_env(root: Path) -> dict[str, str]:
    """The environment of a CLI run on `root`: its own Dagster home, output unbuffered."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env["PYTHONUNBUFFERED"] = "1"
    env["LAKEHOUSE_HOME"] = str(root)
    return env


def generate(root: Path, *args: str) -> None:
    subprocess.run(
        [*LAKEHOUSE, "generate", "--home", str(root), *args],
        check=True,
        env=cli_env(root),
        capture_output=True,
    )


def copy_home(source: Path, target: Path) -> None:
    """A copy of a freshly generated home (landing zone, truth and settings only)."""
    shutil.copytree(source, target)


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LAKEHOUSE, "run", "--home", str(root), *args],
        env=cli_env(root),
        capture_output=True,
        text=True,
        check=False,
    )


# --- snapshots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What a reader can see in a home: every published partition (its file names and rows),
    every audit event, and the current dedup index entries."""

    partitions: dict[str, tuple[tuple[str, ...], pl.DataFrame]]
    staging_files: list[Path]


def _table_of(partition_key: str) -> str:
    parts = Path(partition_key).parts
    # lake/<layer>/<table>[/<sub>=<v>]/institution=.../night=...
    return parts[2]


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    flat = [c for c, t in frame.schema.items() if not t.is_nested()]
    return frame.sort(flat, maintain_order=True, nulls_last=True) if flat else frame


def published_partitions(root: Path) -> list[Path]:
    """Every published partition folder: `lake/<layer>/<table>/[<k>=<v>/]institution=*/night=*`."""
    lake = root / "lake"
    return sorted(
        p
        for p in lake.rglob("night=*")
        if p.is_dir() and p.parent.name.startswith("institution=") and ".staging" not in p.parts
    )


def snapshot(root: Path) -> Snapshot:
    partitions: dict[str, tuple[tuple[str, ...], pl.DataFrame]] = {}
    for folder in published_partitions(root):
        key = str(folder.relative_to(root))
        files = sorted(folder.iterdir())
        names = tuple(f.name for f in files)
        parquet = [f for f in files if f.suffix == ".parquet"]
        frame = pl.read_parquet(parquet, hive_partitioning=False) if parquet else pl.DataFrame()
        partitions[key] = (names, _drop_ignored(_table_of(key), frame))
    audit = root / "lake" / "gold" / "audit"
    for event in sorted(audit.glob("*.parquet")) if audit.is_dir() else []:
        key = str(event.relative_to(root))
        partitions[key] = ((event.name,), _drop_ignored("audit", pl.read_parquet(event)))
    index = root / "index" / "dedup"
    if index.is_dir():
        entries = DedupIndex(index).entries().collect()
        partitions["index/dedup@current"] = (("entries",), entries)
    staging = (
        sorted(f for f in (root / "lake").rglob("*") if f.is_file() and ".staging" in f.parts)
        if (root / "lake").is_dir()
        else []
    )
    return Snapshot(partitions=partitions, staging_files=staging)


def _drop_ignored(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop(list(IGNORED_COLUMNS.get(table, {})), strict=False)


def _same(got: pl.DataFrame, want: pl.DataFrame) -> bool:
    return got.schema == want.schema and _sorted(got).equals(_sorted(want))


def assert_partitions_match(
    got: Snapshot, reference: Snapshot, *, complete: bool, skip_tables: tuple[str, ...] = ()
) -> None:
    """Every partition in `got` is whole and equal to the reference's; with `complete`, `got`
    also holds every partition of the reference (nothing lost). Partitions of `skip_tables` (a
    table name, a `gate=<name>` of the quality results, or `index/dedup` for the index) are
    checked for presence only."""
    extra = set(got.partitions) - set(reference.partitions)
    assert not extra, f"partitions the reference never wrote: {sorted(extra)}"
    if complete:
        missing = set(reference.partitions) - set(got.partitions)
        assert not missing, f"partitions missing: {sorted(missing)}"
    for key, (names, frame) in got.partitions.items():
        if key == "index/dedup@current" and not complete:
            continue  # mid-run the index holds a prefix of the nights (checked at the end)
        if any(f"/{table}/" in key or key.startswith(f"{table}@") for table in skip_tables):
            continue
        want_names, want = reference.partitions[key]
        assert names == want_names, f"{key}: files {names} != {want_names}"
        assert _same(frame, want), f"{key}: rows differ from the uninterrupted run"


def hive_files(root: Path) -> list[str]:
    """What a reader globbing the hive layout sees (DuckDB, as the warehouse reads the lake)."""
    pattern = str(root / "lake" / "*" / "**" / "institution=*" / "night=*" / "*.parquet")
    return [str(r[0]) for r in duckdb.sql(f"SELECT file FROM glob('{pattern}')").fetchall()]
