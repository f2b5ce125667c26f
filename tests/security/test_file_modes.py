"""Least privilege on disk (issue 15, point 3): the pipeline's files are private to its account;
the analysts' group reads the warehouse and the export releases, and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakehouse.access import (
    ANALYSTS_GROUP_VARIABLE,
    AnalystsGroupError,
    analysts_gid,
    secure_home,
    share_with_analysts,
)
from lakehouse.home import LakehouseHome

NOBODY = 65534
ANALYSTS = 65534  # nogroup: a group the test account is not in, standing for the analysts
OTHERS = 65533
as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="dropping to another account needs root (CI runs as root)"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def as_account(uid: int, gid: int, check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `check` in a forked child that has become `uid`:`gid` (no other groups).

    A fork, not a new interpreter: the venv's interpreter may live where that account cannot
    read it; the child only opens files and DuckDB databases, and reports as JSON.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            os.write(write_end, json.dumps(check()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 1 << 16):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the check crashed in the child"
    result: dict[str, Any] = json.loads(b"".join(chunks))
    return result


def can_open(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.read(4)
    except PermissionError:
        return "denied"
    return "read"


def duckdb_cli(database: Path, sql: str) -> str:
    """The analysts' documented command, `duckdb -readonly -safe` (the native binary that the
    `duckdb-cli` package ships, run directly: its Python wrapper needs the venv's interpreter)."""
    import duckdb_cli as package

    done = subprocess.run(
        [str(Path(package.__file__).parent / "duckdb"), "-readonly", "-safe", str(database)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return "ok" if done.returncode == 0 and "Error" not in done.stderr else "refused"


def query_warehouse(path: Path) -> str:
    """The analysts' documented connection: read-only, no file access beyond the database."""
    try:
        with duckdb.connect(
            str(path), read_only=True, config={"enable_external_access": False}
        ) as con:
            con.sql("SELECT count(*) FROM information_schema.tables").fetchall()
            try:
                con.sql("SELECT * FROM read_parquet('/etc/hostname')").fetchall()
            except duckdb.PermissionException:
                return "queried; files refused"
            return "queried; files readable"
    except duckdb.IOException:
        return "denied"


@pytest.fixture
def reachable_tmp() -> Iterator[Path]:
    """A folder other accounts can pass through (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="lakehouse-modes-", dir="/tmp"))
    folder.chmod(0o711)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def test_analysts_group_is_a_name_or_an_id() -> None:
    assert analysts_gid({}) is None
    assert analysts_gid({ANALYSTS_GROUP_VARIABLE: "0"}) == 0
    assert analysts_gid({ANALYSTS_GROUP_VARIABLE: "root"}) == 0
    with pytest.raises(AnalystsGroupError, match="no such group"):
        analysts_gid({ANALYSTS_GROUP_VARIABLE: "no-such-group-here"})


def test_secure_home_closes_everything_but_the_outputs(tmp_path: Path) -> None:
    home = LakehouseHome(tmp_path / "home")
    for folder in ("lake/bronze/raw_submissions", "models/x", "index/dedup", "exports/sft"):
        (home.root / folder).mkdir(parents=True, mode=0o755)
    (home.root / ".secrets").mkdir(mode=0o755)
    key = home.root / ".secrets" / "pseudonym.key"
    key.write_text("k")
    key.chmod(0o644)
    old = os.umask(0o022)
    try:
        secure_home(home, environ={})
        assert os.umask(0o022) == 0o077, "a run creates private files by default"
    finally:
        os.umask(old)

    assert mode(home.root) == 0o710
    assert {name: mode(home.root / name) for name in ("lake", "models", "index", ".secrets")} == {
        "lake": 0o700,
        "models": 0o700,
        "index": 0o700,
        ".secrets": 0o700,
    }
    assert mode(key) == 0o600
    assert mode(home.exports) == 0o750
    assert mode(home.exports / "sft") == 0o750


def test_share_with_analysts_opens_a_release_to_the_group(tmp_path: Path) -> None:
    release = tmp_path / "release=r-1"
    (release / "sub").mkdir(parents=True, mode=0o700)
    (release / "sub" / "part-0.parquet").write_bytes(b"PAR1")
    (release / "sub" / "part-0.parquet").chmod(0o600)

    share_with_analysts(release, environ={})

    assert [mode(p) for p in (release, release / "sub", release / "sub" / "part-0.parquet")] == [
        0o750,
        0o750,
        0o640,
    ]


@pytest.mark.slow
@as_root
def test_analysts_read_the_warehouse_and_exports_but_not_the_lake_or_the_key(
    reachable_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.cli import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv(ANALYSTS_GROUP_VARIABLE, str(ANALYSTS))
    root = reachable_tmp / "home"
    args = ["--institutions", "1", "--nights", "1", "--submissions", "200", "--seed", "3"]
    assert main(["generate", "--home", str(root), *args]) == 0
    (root / ".secrets").mkdir()
    key = root / ".secrets" / "pseudonym.key"
    key.write_text(os.environ["LAKEHOUSE_PSEUDONYM_KEY"])
    monkeypatch.setenv("LAKEHOUSE_PSEUDONYM_KEY_FILE", str(key))
    old_umask = os.umask(0o022)
    try:
        assert main(["run", "--home", str(root)]) == 0
    finally:
        os.umask(old_umask)
    home = LakehouseHome(root)

    # the file-mode table: nothing the pipeline keeps for itself is open to group or other
    names = ("lake", "models", "index", ".secrets")
    private = [root / name for name in names if (root / name).exists()]
    assert {home.lake, root / ".secrets"} <= set(private)
    # Dagster's instance and dbt's work folder are closed; what was made in them before the first
    # step set the private umask (or copied with its mode, as dbt's parse cache) is unreachable
    assert mode(root / ".dagster") == mode(root / ".warehouse") == 0o700
    for folder in private:
        assert mode(folder) == 0o700, folder
        loose = [p for p in folder.rglob("*") if not p.is_symlink() and mode(p) & 0o077]
        assert not loose, f"group/other bits under {folder}: {loose[:3]}"
    shared = [home.warehouse, *home.exports.rglob("*")]
    shared = [p for p in shared if ".staging" not in p.parts]
    assert all(p.stat().st_gid == ANALYSTS for p in shared)
    assert all(mode(p) == (0o750 if p.is_dir() else 0o640) for p in shared)
    export_file = next(home.exports.glob("*/release=*/*.parquet"))
    bronze = next(
        home.partition_dir("bronze", "raw_submissions", r) for r in home.landed_partitions()
    )
    quarantine = next(
        home.partition_dir("bronze", "quarantine", r) for r in home.landed_partitions()
    )

    def analyst_view() -> dict[str, Any]:
        return {
            "warehouse": query_warehouse(home.warehouse),
            "export": can_open(export_file),
            "latest": can_open(export_file.parent.parent / "LATEST"),
            "bronze": can_open(bronze / "part-00000.parquet"),
            "quarantine": can_open(quarantine / "part-00000.parquet"),
            "key": can_open(key),
            "cli query": duckdb_cli(home.warehouse, "SELECT count(*) FROM mart_partition_ledger;"),
            "cli into the lake": duckdb_cli(
                home.warehouse, f"SELECT count(*) FROM read_parquet('{bronze}/*.parquet');"
            ),
        }

    assert as_account(NOBODY, ANALYSTS, analyst_view) == {
        "warehouse": "queried; files refused",
        "export": "read",
        "latest": "read",
        "bronze": "denied",
        "quarantine": "denied",
        "key": "denied",
        "cli query": "ok",
        "cli into the lake": "refused",
    }
    outsider = as_account(NOBODY, OTHERS, analyst_view)
    assert set(outsider.values()) <= {"denied", "refused"}
