"""Erasure end to end: run, erase, re-run, the student is nowhere; the audit keeps the pseudonym."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context

from assets.partitions import partition_key
from assets.resources import LakehouseResource
from lakehouse.filters import DedupIndex
from lakehouse.home import LakehouseHome
from lakehouse.lake import table_glob
from lakehouse.pseudonym import load_key, pseudonym
from orchestration.automation import erasure_sensor
from orchestration.cli import main
from orchestration.jobs import NIGHTLY_JOB
from tests.warehouse.test_warehouse_concurrency import READER, _wait_for


@pytest.fixture(autouse=True)
def _isolated_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


def files_as_text(root: Path) -> dict[str, str]:
    """Every Parquet file under lake/, index/ and exports/ as its rows in JSON (list columns
    included), every other export file (JSONL.gz, cards) as text, and every warehouse table."""
    files = [f for d in ("lake", "index", "exports") for f in sorted((root / d).rglob("*.parquet"))]
    texts = {
        str(f.relative_to(root)): pl.read_parquet(f, hive_partitioning=False).write_ndjson()
        for f in files
    }
    for f in sorted((root / "exports").rglob("*.jsonl.gz")):
        texts[str(f.relative_to(root))] = gzip.decompress(f.read_bytes()).decode()
    for f in sorted((root / "exports").rglob("*.md")):
        texts[str(f.relative_to(root))] = f.read_text()
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        tables = [
            t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
        ]
        for table in tables:
            texts[f"warehouse.duckdb:{table}"] = (
                con.execute(f'select * from "{table}"').pl().write_ndjson()
            )
    return texts


def _run(root: Path) -> int:
    """`lakehouse run` in its own process, as an operator runs it (one command per process)."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    cmd = [sys.executable, "-m", "orchestration.cli", "run", "--home", str(root)]
    return subprocess.run(cmd, env=env, check=False, capture_output=True).returncode


@pytest.mark.slow
def test_erase_then_rerun_and_the_student_is_nowhere(tmp_path: Path) -> None:
    root = tmp_path / "home"
    home = LakehouseHome(root)
    main(
        [
            "generate",
            "--home",
            str(root),
            "--institutions",
            "1",
            "--nights",
            "2",
            "--submissions",
            "200",
            "--seed",
            "9",
        ]
    )
    assert _run(root) == 0
    before = (root / "exports" / "reward" / "LATEST").read_text().strip()
    bronze = pl.read_parquet(table_glob(home, "bronze", "raw_submissions"))
    victim = bronze.group_by("student_id").len().sort("len", "student_id").item(-1, "student_id")
    alias = pseudonym(victim, institution_id="inst_000", key=load_key())
    first = files_as_text(root)
    assert any(alias in text for name, text in first.items() if name.startswith("warehouse"))
    assert any(alias in text for name, text in first.items() if "export_contributions" in name)

    erasure = home.erasure_dir("inst_000")
    (erasure / "2026-02-01.csv").write_text(
        f"student_id,requested_at\n{victim},2026-02-01T00:00:00Z\n"
    )
    with (
        DagsterInstance.ephemeral() as instance,
        build_sensor_context(
            instance=instance, resources={"lakehouse": LakehouseResource(home=str(root))}
        ) as context,
    ):
        sensor = erasure_sensor(context)
    assert isinstance(sensor, SensorResult)
    nights = sorted(bronze.filter(pl.col("student_id") == victim)["night"].unique())
    reruns = {r.partition_key for r in sensor.run_requests or [] if r.job_name == NIGHTLY_JOB}
    assert reruns >= {partition_key(ref) for ref in home.landed_partitions() if ref.night in nights}

    # an analyst holds the warehouse open and keeps querying it through the whole re-run: no
    # query fails, the reader keeps its snapshot, a new connection sees the new build
    ready, stop, out = (tmp_path / n for n in ("ready", "stop", "reader.json"))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home.warehouse), str(ready), str(stop), str(out)]
    )
    try:
        _wait_for(ready)
        assert _run(root) == 0
    finally:
        stop.write_text("stop")
        reader.wait(timeout=60)
    assert reader.returncode == 0
    report = json.loads(out.read_text())
    assert report["errors"] == 0 and report["queries"] > 0 and len(report["seen"]) == 1
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        now = con.execute("select count(*), count(rm_score) from fct_documents").fetchone()
    assert now is not None and [list(now)] != report["seen"], "the erasure rebuilt the warehouse"

    files = files_as_text(root)
    assert not [name for name, text in files.items() if victim in text]
    audit = pl.read_parquet(home.audit / "*.parquet", hive_partitioning=False)
    erased_events = audit.filter(pl.col("event") == "erasure_applied")
    # the audit holds pseudonyms of the requests, never raw ids
    assert alias in erased_events["student_pseudonym"].to_list()
    holding_alias = [name for name, text in files.items() if alias in text]
    assert holding_alias and all(name.startswith("lake/gold/audit/") for name in holding_alias)
    assert DedupIndex(home.dedup_index).current_version() > 0
    # the new release withdrew the one that held the student (every scored answer is in
    # `reward`), and its card says so
    after = (root / "exports" / "reward" / "LATEST").read_text().strip()
    assert after != before
    assert not (root / "exports" / "reward" / f"release={before}").exists()
    card = (root / "exports" / "reward" / f"release={after}" / "DATASET_CARD.md").read_text()
    assert before in card
