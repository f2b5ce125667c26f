"""An analyst holding `warehouse.duckdb` open during a full `lakehouse run`: the analyst's queries
never fail, the run never fails, and a new connection afterwards sees the new build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.test_warehouse_concurrency import READER, _wait_for

LAKEHOUSE = [sys.executable, "-m", "orchestration.cli"]


@pytest.mark.slow
def test_reader_holding_the_warehouse_open_during_a_full_run(tmp_path: Path) -> None:
    root = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    args = ["--institutions", "1", "--nights", "2", "--submissions", "200", "--seed", "4"]
    subprocess.run([*LAKEHOUSE, "generate", "--home", str(root), *args], check=True, env=env)
    first = subprocess.run(
        [*LAKEHOUSE, "run", "--home", str(root), "--night", "2026-01-05"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute("select count(*), count(rm_score) from fct_documents").fetchone()
    assert before is not None and before[0] > 0

    ready, stop, out = (tmp_path / n for n in ("ready", "stop", "out.json"))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(ready), str(stop), str(out)]
    )
    try:
        _wait_for(ready)
        second = subprocess.run(
            [*LAKEHOUSE, "run", "--home", str(root)],
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        stop.write_text("stop")
        reader.wait(timeout=60)
    assert second.returncode == 0, second.stderr
    assert "warehouse:" in second.stdout and "| sft " in second.stdout
    assert reader.returncode == 0
    report = json.loads(out.read_text())
    assert report["errors"] == 0 and report["queries"] > 0
    assert report["seen"] == [list(before)]  # the reader kept its snapshot throughout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute("select count(*), count(rm_score) from fct_documents").fetchone()
        reconciles = con.execute(
            "select bool_and(reconciles) from mart_partition_ledger"
        ).fetchone()
    assert after is not None and after[0] > before[0]
    assert reconciles == (True,)
