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


@pytest.fixture(scope="module")
def landed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated home that has landed and never run (2 institutions x 2 nights x 60)."""
    root = tmp_path_factory.mktemp("landed") / "home"
    args = ["--institutions", "2", "--nights", "2", "--submissions", "60"]
    assert main(["generate", "--home", str(root), *args]) == 0
    return root


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    return lines[0]


RUN_MISTAKES = [
    (["--night", "05-01-2026"], "'05-01-2026' is not a night: write it as YYYY-MM-DD"),
    (["--night", "2026-13-45"], "'2026-13-45' is not a calendar date (month must be in 1..12)"),
    (["--night", "2026/01/05"], "'2026/01/05' is not a night: write it as YYYY-MM-DD"),
    (
        ["--institution", "inst_009"],
        "institution 'inst_009' has not landed in {landing}; landed institutions: "
        "inst_000, inst_001",
    ),
    (["--institution", "../etc"], "'../etc' is not an institution id"),
    (
        ["--institution", "inst_001", "--night", "2026-02-01"],
        "night 2026-02-01 has not landed for inst_001; landed nights: 2026-01-05, 2026-01-06",
    ),
    (["--nights", "2"], "unrecognized arguments: --nights 2"),
]


@pytest.mark.parametrize(("args", "message"), RUN_MISTAKES)
def test_a_run_mistake_is_one_error_line_and_writes_nothing(
    landed_home: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["run", "--home", str(landed_home), *args]) == 2
    assert message.format(landing=landed_home / "landing") in _one_error(capsys)
    assert sorted(p.name for p in landed_home.iterdir()) == ["_truth", "config", "landing"]


GENERATE_MISTAKES = [
    (["--start-night", "2026/01/05"], "--start-night: '2026/01/05' is not a night"),
    (["--start-night", "2026-02-30"], "'2026-02-30' is not a calendar date"),
    (["--submissions", "10"], "--submissions 10 is too few"),
    (["--submissions", "40"], "it needs at least 50; add --clean (no malformed input) for fewer"),
    (["--submissions", "0"], "--submissions: 0 is not a whole number >= 1"),
    (["--submissions", "0", "--clean"], "--submissions: 0 is not a whole number >= 1"),
    (["--institutions", "-1"], "--institutions: -1 is not a whole number >= 1"),
    (["--nights", "many"], "--nights: 'many' is not a whole number >= 1"),
    (["--seed", "-3"], "--seed: -3 is not a whole number >= 0"),
    (["--start-night", "9999-12-30", "--nights", "3"], "runs past year 9999"),
]


@pytest.mark.parametrize(("args", "message"), GENERATE_MISTAKES)
def test_a_generate_mistake_is_one_error_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["generate", "--home", str(tmp_path / "home"), *args]) == 2
    assert message in _one_error(capsys)
    assert not (tmp_path / "home").exists()


def test_generate_with_clean_input_allows_fewer_than_fifty(tmp_path: Path) -> None:
    root = tmp_path / "home"
    args = ["--institutions", "1", "--nights", "1", "--submissions", "10", "--clean"]
    assert main(["generate", "--home", str(root), *args]) == 0
    assert (root / "landing" / "inst_000" / "2026-01-05").is_dir()


def test_generate_into_a_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a_file"
    target.write_text("x")
    assert main(["generate", "--home", str(target)]) == 2
    assert f"--home {target} is a file, not a folder" in _one_error(capsys)


@pytest.mark.parametrize("command", ["status", "run"])
def test_a_folder_that_is_not_a_lakehouse_home_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "does" / "not" / "exist"
    assert main([command, "--home", str(missing)]) == 2
    assert f"error: {missing} is not a lakehouse home (does not exist;" in _one_error(capsys)
    assert not missing.exists()
    assert main([command, "--home", str(tmp_path)]) == 2
    assert "has no landing/ folder" in _one_error(capsys)


def test_a_missing_key_file_is_named(
    landed_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY", raising=False)
    missing = landed_home.parent / "no-such.key"
    monkeypatch.setenv("LAKEHOUSE_PSEUDONYM_KEY_FILE", str(missing))
    assert main(["run", "--home", str(landed_home)]) == 2
    error = _one_error(capsys)
    assert f"cannot read the pseudonymisation key from {missing}" in error
    assert "No such file or directory" in error
    assert not (landed_home / ".dagster").exists()


def test_status_of_a_home_that_landed_but_never_ran(
    landed_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--home", str(landed_home)]) == 0
    out = capsys.readouterr().out
    assert "4 partitions landed: 0 ok, 4 not yet run" in out
    rows = [line for line in out.splitlines() if line.startswith("| inst_")]
    assert len(rows) == 4
    for line in rows:
        inst, night, status, landed = (c.strip() for c in line.strip("|").split("|")[:4])
        truth = json.loads((landed_home / "_truth" / inst / night / "expected.json").read_text())
        assert (status, int(landed)) == ("not yet run", truth["landed"])
    assert f"LAKEHOUSE_HOME={landed_home} DAGSTER_HOME={landed_home}/.dagster " in out
    assert "dev -m orchestration.definitions -h 127.0.0.1 -p 3000" in out
    assert sorted(p.name for p in landed_home.iterdir()) == ["_truth", "config", "landing"]


@pytest.mark.parametrize(
    ("first_night", "message"),
    [
        ("2026-13-01", "error: LAKEHOUSE_FIRST_NIGHT: invalid night '2026-13-01'"),
        ("2026-01-06", "error: night 2026-01-05 is before the first night of the partitions"),
    ],
)
def test_a_first_night_that_excludes_the_selection_is_one_error_line(
    landed_home: Path, first_night: str, message: str
) -> None:
    # the night dimension is fixed when the definitions load: a fresh process, as a user runs it
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--home", str(landed_home)],
        env={**os.environ, "LAKEHOUSE_FIRST_NIGHT": first_night},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    (line,) = completed.stderr.strip().splitlines()
    assert line.startswith(message), line
    assert sorted(p.name for p in landed_home.iterdir()) == ["_truth", "config", "landing"]


def test_an_unusable_dagster_home_is_one_error_line(
    landed_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = landed_home.parent / "a_file"
    blocker.write_text("x")
    monkeypatch.setenv("DAGSTER_HOME", str(blocker / "dagster"))
    assert main(["run", "--home", str(landed_home)]) == 2
    assert f"cannot use DAGSTER_HOME {blocker / 'dagster'}" in _one_error(capsys)


@pytest.mark.parametrize(("gate", "overridable"), [("silver", False), ("curated", True)])
def test_status_of_a_blocked_partition_says_whether_an_override_is_possible(
    landed_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    gate: str,
    overridable: bool,
) -> None:
    from datetime import UTC, date, datetime

    from expectations.results import RESULTS_SCHEMA, results_table
    from lakehouse.home import PartitionRef
    from lakehouse.lake import write_partition

    root = tmp_path / "home"
    shutil.copytree(landed_home, root)
    ref = PartitionRef("inst_001", date(2026, 1, 6))
    verdict = pl.DataFrame(
        [
            {
                "institution_id": ref.institution_id,
                "night": ref.night,
                "gate": gate,
                "expectation": "an_expectation",
                "column": "answer_text",
                "success": False,
                "observed_value": "3",
                "overridden": False,
                "evaluated_at": datetime.now(UTC),
            }
        ],
        schema=RESULTS_SCHEMA,
    )
    write_partition(LakehouseHome(root), "gold", results_table(gate), ref, verdict)
    assert main(["status", "--home", str(root)]) == 0
    out = capsys.readouterr().out
    assert "4 partitions landed: 0 ok, 1 blocked, 3 not yet run" in out
    assert f"inst_001/2026-01-06: blocked by {gate} gate: an_expectation on answer_text" in out
    assert (f"overrides/{gate}/inst_001/2026-01-06.yaml" in out) is overridable
    assert (f"the {gate} gate cannot be overridden" in out) is not overridable
