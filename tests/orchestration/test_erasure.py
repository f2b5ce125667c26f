"""Erasure end to end: run, erase, re-run, the student is nowhere; the audit keeps the pseudonym."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from dagster import DagsterInstance, build_sensor_context

from lakehouse.curate_stage import index_dir
from lakehouse.filters import DedupIndex
from lakehouse.home import LakehouseHome
from lakehouse.lake import table_glob
from lakehouse.pseudonym import load_key, pseudonym
from orchestration.automation import erasure_sensor
from orchestration.cli import main
from orchestration.partitions import partition_key
from orchestration.resources import LakehouseResource


@pytest.fixture(autouse=True)
def _isolated_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


def _files_as_text(root: Path) -> dict[str, str]:
    """Every Parquet file under lake/ and index/, as its rows in JSON (list columns included)."""
    files = sorted((root / "lake").rglob("*.parquet")) + sorted((root / "index").rglob("*.parquet"))
    return {
        str(f.relative_to(root)): pl.read_parquet(f, hive_partitioning=False).write_ndjson()
        for f in files
    }


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
    main(["run", "--home", str(root)])
    bronze = pl.read_parquet(table_glob(home, "bronze", "raw_submissions"))
    victim = bronze.group_by("student_id").len().sort("len", "student_id").item(-1, "student_id")
    alias = pseudonym(victim, institution_id="inst_000", key=load_key())
    assert any(alias in text for text in _files_as_text(root).values())

    erasure = home.erasure_dir("inst_000")
    (erasure / "2026-02-01.csv").write_text(
        f"student_id,requested_at\n{victim},2026-02-01T00:00:00Z\n"
    )
    with DagsterInstance.ephemeral() as instance:
        sensor = erasure_sensor(
            build_sensor_context(
                instance=instance, resources={"lakehouse": LakehouseResource(home=str(root))}
            )
        )
    nights = sorted(bronze.filter(pl.col("student_id") == victim)["night"].unique())
    assert sorted(r.partition_key for r in sensor.run_requests) == sorted(
        partition_key(ref) for ref in home.landed_partitions() if ref.night in nights
    )

    assert main(["run", "--home", str(root)]) == 0
    files = _files_as_text(root)
    assert not [name for name, text in files.items() if victim in text]
    audit = pl.read_parquet(home.audit / "*.parquet", hive_partitioning=False)
    erased_events = audit.filter(pl.col("event") == "erasure_applied")
    # the audit holds pseudonyms of the requests, never raw ids
    assert alias in erased_events["student_pseudonym"].to_list()
    holding_alias = [name for name, text in files.items() if alias in text]
    assert holding_alias and all(name.startswith("lake/gold/audit/") for name in holding_alias)
    assert DedupIndex(index_dir(home)).current_version() > 0
