"""The operator CLI end to end: generate, run through Dagster, status."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from lakehouse.home import LakehouseHome
from lakehouse.lake import table_glob
from orchestration.cli import main


@pytest.fixture(autouse=True)
def _isolated_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


def _ledger(root: Path) -> pl.DataFrame:
    return pl.read_parquet(table_glob(LakehouseHome(root), "gold", "partition_ledger"))


def test_generate_run_status_on_one_partition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "home"
    assert (
        main(
            [
                "generate",
                "--home",
                str(root),
                "--institutions",
                "2",
                "--nights",
                "1",
                "--submissions",
                "200",
            ]
        )
        == 0
    )
    assert main(["run", "--home", str(root), "--institution", "inst_001"]) == 0
    out = capsys.readouterr().out
    assert "inst_001/2026-01-05: ok" in out
    ledger = _ledger(root)
    assert ledger["institution_id"].to_list() == ["inst_001"]
    assert ledger["reconciles"].to_list() == [True]
    assert (root / ".dagster" / "dagster.yaml").read_text().startswith("telemetry")
    assert main(["status", "--home", str(root)]) == 0
    status = capsys.readouterr().out
    assert "2 partitions landed: 1 ok, 1 not yet run" in status
    assert "| inst_000       | 2026-01-05 | not yet run | 202    |" in status


def test_run_without_a_landing_zone_is_an_actionable_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--home", str(tmp_path / "nothing")]) == 2
    assert "no landing zone" in capsys.readouterr().err


def test_a_failing_partition_is_reported_and_the_others_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "home"
    main(
        [
            "generate",
            "--home",
            str(root),
            "--institutions",
            "2",
            "--nights",
            "1",
            "--submissions",
            "200",
        ]
    )
    (root / "landing" / "inst_000" / "consent.csv").write_text("not,a,consent,file\n")
    assert main(["run", "--home", str(root)]) == 1
    out = capsys.readouterr().out
    assert "inst_000/2026-01-05: failed" in out and "inst_001/2026-01-05: ok" in out
    assert "consented_submissions: lakehouse.reference.ReferenceFileError: the consent file" in out
    assert "| inst_000       | 2026-01-05 | failed | 202    |" in out
    assert _ledger(root)["institution_id"].to_list() == ["inst_001"]
    # status says it failed, with the error and what to do, not "not yet run"
    assert main(["status", "--home", str(root)]) == 0
    status = capsys.readouterr().out
    assert "| inst_000       | 2026-01-05 | failed " in status
    assert "inst_000/2026-01-05: failed: consented_submissions: " in status
    assert "ReferenceFileError: the consent file" in status
    assert (
        f"re-run: lakehouse run --home {root} --institution inst_000 --night 2026-01-05" in status
    )
    assert "2 partitions landed: 1 ok, 1 failed" in status


def test_a_partition_blocked_by_a_gate_is_reported_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "home"
    # 60 records with the generator's fixed set of malformed ones: ~40% quarantined, above the
    # bronze gate's default bound of 20%
    main(
        [
            "generate",
            "--home",
            str(root),
            "--institutions",
            "1",
            "--nights",
            "1",
            "--submissions",
            "60",
        ]
    )
    assert main(["run", "--home", str(root)]) == 0
    out = capsys.readouterr().out
    assert "inst_000/2026-01-05: blocked" in out
    assert "blocked by quality gate(s): raw_submissions:bronze" in out
    assert not (root / "lake" / "bronze" / "consented_submissions").exists()
    results = pl.read_parquet(
        root / "lake" / "gold" / "quality_results" / "gate=bronze" / "*" / "*" / "*.parquet"
    )
    failed = results.filter(~pl.col("success"))["expectation"].to_list()
    assert failed == ["quarantine_rate_below_bound"]
    assert main(["status", "--home", str(root)]) == 0
    status = capsys.readouterr().out
    assert "| inst_000       | 2026-01-05 | blocked | 62     |" in status
    assert "inst_000/2026-01-05: blocked by bronze gate: quarantine_rate_below_bound" in status
    assert "config/quality/overrides/bronze/inst_000/2026-01-05.yaml" in status
    # the run record is not needed: a run launched elsewhere (the UI) leaves only the lake
    shutil.rmtree(root / ".runs")
    assert main(["status", "--home", str(root)]) == 0
    assert "inst_000/2026-01-05: blocked by bronze gate" in capsys.readouterr().out


def test_run_without_a_pseudonym_key_is_an_actionable_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "home"
    main(
        [
            "generate",
            "--home",
            str(root),
            "--institutions",
            "1",
            "--nights",
            "1",
            "--submissions",
            "60",
        ]
    )
    monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY_FILE", raising=False)
    assert main(["run", "--home", str(root)]) == 2
    assert "LAKEHOUSE_PSEUDONYM_KEY" in capsys.readouterr().err
    assert not (root / "lake").exists()


@pytest.mark.slow
def test_two_institutions_two_nights_reconcile_and_publish(tmp_path: Path) -> None:
    root = tmp_path / "home"
    env = {**os.environ, "LAKEHOUSE_HOME": str(root)}
    lakehouse = [sys.executable, "-m", "orchestration.cli"]
    subprocess.run(
        [*lakehouse, "generate", "--institutions", "2", "--nights", "2", "--submissions", "200"],
        check=True,
        env=env,
    )
    run = subprocess.run([*lakehouse, "run"], check=True, env=env, capture_output=True, text=True)
    assert run.stdout.count(": ok in") == 4
    assert "| preference " in run.stdout and "warehouse:" in run.stdout
    ledger = _ledger(root)
    assert ledger.height == 4 and ledger["reconciles"].all()
    for row in ledger.iter_rows(named=True):
        truth = json.loads(
            (
                root / "_truth" / row["institution_id"] / row["night"].isoformat() / "expected.json"
            ).read_text()
        )
        assert row["landed"] == truth["landed"]
        assert row["accepted"] + row["erased"] == truth["accepted"]


@pytest.mark.slow
def test_workspace_loads_in_dagster() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
