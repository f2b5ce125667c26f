"""Building the analysts' warehouse (`$LAKEHOUSE_HOME/warehouse.duckdb`) with dbt, without ever
blocking a reader.

DuckDB allows one writing process or many reading ones on a file, never both. So dbt never writes
the published file: a build writes a fresh file beside it (`warehouse.duckdb.building`), and only
when every model and every blocking dbt test has passed is that file fsynced and renamed over
`warehouse.duckdb` (`os.replace`, atomic on POSIX). A reader that holds the old file open keeps
reading the old inode, undisturbed, and never blocks the build; the next connection opens the new
file. A failed build removes its file, so nothing half-written is ever visible. An exclusive
lock (`.warehouse/lock`, `lakehouse.atomic`) makes two builders of one home wait for each other, which is also
what lets the build file have a fixed name (stable dbt vars keep dbt's partial parsing useful).

Every build is a full rebuild from the lake (the system of record): it is seconds at the scales
measured, it is the only way an erasure request (which rewrites lake partitions) is guaranteed to
leave no trace in the warehouse, and an incremental build would have to start from a copy of the
whole published file anyway. Only a build of a subset of the models (Dagster selecting a few
dbt assets) starts from a copy of the published file, so the models it does not rebuild survive.

Pure library code: no Dagster import. `build_warehouse` runs dbt in a subprocess; the Dagster asset
(`assets/warehouse.py`) runs it through `dagster-dbt` inside `warehouse_build`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lakehouse.access import share_with_analysts
from lakehouse.atomic import exclusive_lock, replace_file
from lakehouse.home import LakehouseHome

DBT_PROJECT_DIR: Final = Path(__file__).resolve().parent.parent / "dbt_project"
MANIFEST_PATH: Final = DBT_PROJECT_DIR / "target" / "manifest.json"
BUILD_SUFFIX: Final = ".building"
STATE_DIR: Final = ".warehouse"
"""Under the home: the builders' lock and dbt's target folder (artifacts, logs, partial parse)."""

_PROJECT_INPUTS: Final = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")


class WarehouseBuildError(RuntimeError):
    """dbt failed; the published warehouse (if any) is untouched and the build file is gone."""


@dataclass(frozen=True)
class WarehouseBuild:
    """One build in progress: the fresh file dbt writes and the folder for dbt's artifacts."""

    home: LakehouseHome
    path: Path
    target_path: Path

    @property
    def dbt_vars(self) -> dict[str, str | bool]:
        """What the dbt project needs: where the lake is and which DuckDB file to write. A lake
        folder that exists may still be empty (nothing has run); one that is missing fails the
        build (dbt_project/macros/lake.sql, assert_lake_root)."""
        return {
            "lake_root": str(self.home.lake),
            "warehouse_path": str(self.path),
            "allow_empty_lake": self.home.lake.is_dir(),
        }

    def dbt_args(self, command: str = "build") -> list[str]:
        return [command, "--vars", json.dumps(self.dbt_vars, sort_keys=True)]


@dataclass(frozen=True)
class WarehouseBuildResult:
    path: Path
    seconds: float
    statuses: dict[str, int]
    """dbt node results by status (`success`, `pass`, `warn`, ...)."""
    warnings: list[str] = field(default_factory=list)
    """dbt tests that warned (unique ids); never row contents."""


def state_dir(home: LakehouseHome) -> Path:
    return home.root / STATE_DIR


def build_path(home: LakehouseHome) -> Path:
    """The file a build writes: beside the warehouse, so the final rename stays on one filesystem."""
    return home.warehouse.with_name(home.warehouse.name + BUILD_SUFFIX)


def _remove_build_file(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def publish(build_file: Path, warehouse: Path) -> None:
    """Make `build_file` the warehouse in one atomic rename (after checkpointing and fsyncing it).

    Readers holding the previous file keep reading it (their inode lives on until they close it);
    new connections open the new file.
    """
    wal = build_file.with_name(build_file.name + ".wal")
    if wal.exists():
        import duckdb

        with duckdb.connect(str(build_file)) as connection:
            connection.execute("checkpoint")
    share_with_analysts(build_file)
    replace_file(build_file, warehouse)


@contextmanager
def warehouse_build(
    home: LakehouseHome, *, start_from_current: bool = False, lock_timeout_s: float | None = None
) -> Iterator[WarehouseBuild]:
    """Hold the builders' lock, hand out a fresh build file, publish it when the block succeeds.

    On any error the build file is removed and the published warehouse is untouched.
    `start_from_current` copies the published file first (for a build of a subset of the models).

    Examples
    --------
    >>> with warehouse_build(home) as build:
    ...     run_dbt(build.dbt_args("build"))   # writes build.path
    """
    home.root.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(
        state_dir(home) / "lock", timeout_s=lock_timeout_s, holder="a warehouse build of this home"
    ):
        path = build_path(home)
        _remove_build_file(path)  # left by a builder that crashed; we hold the lock
        build = WarehouseBuild(home=home, path=path, target_path=state_dir(home) / "dbt")
        build.target_path.mkdir(parents=True, exist_ok=True)
        try:
            if start_from_current and home.warehouse.exists():
                shutil.copyfile(home.warehouse, path)
            yield build
            if not path.exists():
                raise WarehouseBuildError("dbt finished without writing the warehouse file")
            publish(path, home.warehouse)
        except BaseException:
            _remove_build_file(path)
            raise


def dbt_executable() -> str:
    """The `dbt` of this interpreter's environment (a venv's bin), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise FileNotFoundError("no `dbt` executable beside the interpreter or on PATH")
    return found


def dbt_env(target_path: Path) -> dict[str, str]:
    """The environment dbt runs in: project-local profile, no telemetry, artifacts in `target_path`."""
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_TARGET_PATH": str(target_path),
        "DBT_LOG_PATH": str(target_path),
    }


def run_results(target_path: Path) -> tuple[dict[str, int], list[str], list[str]]:
    """Statuses by count, warned nodes and failed nodes of the last dbt run in `target_path`."""
    path = target_path / "run_results.json"
    if not path.exists():
        return {}, [], []
    results: list[dict[str, Any]] = json.loads(path.read_text()).get("results", [])
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    warned = sorted(r["unique_id"] for r in results if r["status"] == "warn")
    failed = sorted(r["unique_id"] for r in results if r["status"] in ("error", "fail"))
    return statuses, warned, failed


def build_warehouse(
    home: LakehouseHome,
    *,
    extra_args: Sequence[str] = (),
    lock_timeout_s: float | None = None,
) -> WarehouseBuildResult:
    """`dbt build` (every model and test) into a fresh file, then publish it atomically.

    Raises `WarehouseBuildError` naming the failed nodes (never row contents; dbt's log is in
    `$LAKEHOUSE_HOME/.warehouse/dbt/dbt.log`) and leaves the published warehouse as it was.
    """
    started = time.perf_counter()
    with warehouse_build(home, lock_timeout_s=lock_timeout_s) as build:
        (build.target_path / "run_results.json").unlink(missing_ok=True)
        completed = subprocess.run(
            [dbt_executable(), *build.dbt_args("build"), *extra_args],
            cwd=DBT_PROJECT_DIR,
            env=dbt_env(build.target_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        statuses, warned, failed = run_results(build.target_path)
        if completed.returncode != 0:
            raise WarehouseBuildError(
                f"dbt build failed (exit {completed.returncode}; "
                f"failed: {', '.join(failed) or 'before any node ran'}); "
                f"see {build.target_path / 'dbt.log'}"
            )
    return WarehouseBuildResult(
        path=home.warehouse,
        seconds=time.perf_counter() - started,
        statuses=statuses,
        warnings=warned,
    )


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in _PROJECT_INPUTS:
        path = DBT_PROJECT_DIR / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for f in path.rglob("*"):
                if f.is_file():
                    newest = max(newest, f.stat().st_mtime)
    return newest


def manifest_is_stale(manifest: Path = MANIFEST_PATH) -> bool:
    return not manifest.exists() or manifest.stat().st_mtime < _newest_input_mtime()


def prepare_manifest(target_dir: Path | None = None) -> Path:
    """`dbt parse` into `dbt_project/target/` (or `target_dir`) when the manifest is missing or
    older than the project: a fresh clone has no target/ (it is gitignored). Safe to call from
    several processes at once. Returns the manifest's path, which `@dbt_assets` loads."""
    target = target_dir or MANIFEST_PATH.parent
    manifest = target / "manifest.json"
    if not manifest_is_stale(manifest):
        return manifest
    with exclusive_lock(target / ".parse.lock", timeout_s=300, holder="dbt parsing this project"):
        if manifest_is_stale(manifest):
            completed = subprocess.run(
                [dbt_executable(), "parse"],
                cwd=DBT_PROJECT_DIR,
                env=dbt_env(target),
                capture_output=True,
                text=True,
                check=False,
            )
            if completed.returncode != 0 or not manifest.exists():
                raise WarehouseBuildError(
                    f"`dbt parse` of {DBT_PROJECT_DIR} failed:\n{completed.stdout[-4000:]}"
                )
            os.utime(manifest)
    return manifest
