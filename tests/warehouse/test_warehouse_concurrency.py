"""Analysts never block the build and the build never breaks analysts: a reader holding
`warehouse.duckdb` open keeps querying its snapshot while a rebuild publishes, the rebuild
succeeds, and a new connection sees the new build. Builders of one home take turns; a failed
build leaves the published warehouse exactly as it was."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition
from lakehouse.stages.ledger import counts_frame
from lakehouse.warehouse import WarehouseBuildError, build_path, build_warehouse, warehouse_build

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    path, ready, stop, out = sys.argv[1:5]
    con = duckdb.connect(path, read_only=True)
    queries = errors = 0
    seen = set()
    Path(ready).write_text("ready")
    while not Path(stop).exists():
        try:
            seen.add(con.execute(
                "select count(*), count(rm_score) from fct_documents"
            ).fetchone())
            con.execute("select sum(landed) from mart_partition_ledger").fetchone()
            queries += 1
        except Exception as exc:  # recorded, the test asserts there are none
            errors += 1
            seen.add(("error", type(exc).__name__))
        time.sleep(0.05)
    con.close()
    Path(out).write_text(json.dumps({"queries": queries, "errors": errors, "seen": sorted(map(list, seen))}))
    """
)


def _wait_for(path: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"timed out waiting for {path}"
        time.sleep(0.05)


@pytest.mark.slow
def test_reader_holding_the_warehouse_open_during_rebuilds(
    home_copy: LakehouseHome, tmp_path: Path, add_reward_scores: Callable[[LakehouseHome], int]
) -> None:
    build_warehouse(home_copy)
    with duckdb.connect(str(home_copy.warehouse), read_only=True) as con:
        before = con.execute("select count(*), count(rm_score) from fct_documents").fetchone()
    assert before is not None and before[1] == 0
    ready, stop, out = (tmp_path / n for n in ("ready", "stop", "out.json"))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home_copy.warehouse), str(ready), str(stop), str(out)]
    )
    try:
        _wait_for(ready)
        # the lake changes (the reward stage ran) and the warehouse is rebuilt, twice, while the
        # reader holds the old file open and keeps querying it
        scored = add_reward_scores(home_copy)
        first = build_warehouse(home_copy, lock_timeout_s=120)
        second = build_warehouse(home_copy, lock_timeout_s=120)
        time.sleep(0.3)
        # a new connection sees the new build
        with duckdb.connect(str(home_copy.warehouse), read_only=True) as con:
            after = con.execute("select count(*), count(rm_score) from fct_documents").fetchone()
        assert after == (before[0], scored)
    finally:
        stop.write_text("stop")
        reader.wait(timeout=60)
    assert reader.returncode == 0
    report = json.loads(out.read_text())
    assert report["errors"] == 0
    assert report["queries"] > 0
    # the reader kept its snapshot: it never saw a half-built or a newer file
    assert report["seen"] == [list(before)]
    assert first.statuses.get("error", 0) == second.statuses.get("error", 0) == 0
    assert not build_path(home_copy).exists()


@pytest.mark.slow
def test_failed_build_leaves_the_published_warehouse_untouched(tmp_path: Path) -> None:
    home = LakehouseHome(tmp_path / "home")
    home.lake.mkdir(parents=True)
    build_warehouse(home)
    published = home.warehouse.stat()
    # counts that do not add up: the ledger's `reconciles` test fails the build
    ref = PartitionRef("inst_x", date(2026, 1, 5))
    bad = counts_frame(
        ref, stage="bronze", totals={"landed": 10, "accepted": 5, "quarantined": 1, "erased": 0}
    )
    write_partition(home, "gold", "partition_counts/stage=bronze", ref, bad)
    with pytest.raises(WarehouseBuildError, match="reconciles"):
        build_warehouse(home)
    after = home.warehouse.stat()
    assert (after.st_ino, after.st_mtime_ns) == (published.st_ino, published.st_mtime_ns)
    assert not build_path(home).exists()
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from mart_partition_ledger").fetchone() == (0,)


def test_builders_of_one_home_take_turns(tmp_path: Path) -> None:
    home = LakehouseHome(tmp_path / "home")
    with warehouse_build(home) as build:
        with pytest.raises(TimeoutError):
            build_warehouse(home, lock_timeout_s=0.5)
        duckdb.connect(str(build.path)).close()
    assert home.warehouse.exists()


def test_publish_is_all_or_nothing(tmp_path: Path) -> None:
    home = LakehouseHome(tmp_path / "home")
    with warehouse_build(home) as build:
        with duckdb.connect(str(build.path)) as con:
            con.execute("create table t as select 1 as v")
        assert not home.warehouse.exists()  # nothing visible before the block ends
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute("select v from t").fetchone() == (1,)
    published = home.warehouse.stat().st_ino
    with pytest.raises(RuntimeError, match="boom"), warehouse_build(home) as build:
        with duckdb.connect(str(build.path)) as con:
            con.execute("create table t as select 2 as v")
        raise RuntimeError("boom")
    assert home.warehouse.stat().st_ino == published
    assert not build.path.exists()
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute("select v from t").fetchone() == (1,)
    # a subset build starts from the published file
    with (
        warehouse_build(home, start_from_current=True) as build,
        duckdb.connect(str(build.path)) as con,
    ):
        assert con.execute("select v from t").fetchone() == (1,)
        con.execute("create table u as select 3 as v")
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from t, u").fetchone() == (1,)
