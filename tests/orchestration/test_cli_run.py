"""`lakehouse run`: what it checks before any work starts (key, first night, Dagster home)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.orchestration.cli_support import isolated_dagster_home, landed_home, one_error

__all__ = ["isolated_dagster_home", "landed_home"]


def test_a_missing_key_file_is_named(
    landed_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAKEHOUSE_PSEUDONYM_KEY", raising=False)
    missing = landed_home.parent / "no-such.key"
    monkeypatch.setenv("LAKEHOUSE_PSEUDONYM_KEY_FILE", str(missing))
    assert main(["run", "--home", str(landed_home)]) == 2
    error = one_error(capsys)
    assert f"cannot read the pseudonymisation key from {missing}" in error
    assert "No such file or directory" in error
    assert not (landed_home / ".dagster").exists()


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
    assert f"cannot use DAGSTER_HOME {blocker / 'dagster'}" in one_error(capsys)


def test_results_table_has_the_ledger_of_every_partition_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import UTC, date, datetime
    from typing import Any

    from lakehouse.home import PartitionRef
    from lakehouse.partition_runs import LEDGER_FIELDS, PartitionRun, RunStatus, StepError
    from orchestration.cli_run import _print_result, _results_table

    def run(inst: str, status: RunStatus, run_id: str, seconds: float, **kw: Any) -> PartitionRun:
        ref = PartitionRef(inst, date(2026, 1, 5))
        finished = datetime(2026, 1, 6, tzinfo=UTC)
        return PartitionRun(ref, status, run_id, finished, seconds, **kw)

    ok = run("inst_000", "ok", "0123456789abcdef", 1.25, ledger=dict.fromkeys(LEDGER_FIELDS, 3))
    failed = run(
        "inst_001",
        "failed",
        "fedcba9876543210",
        0.5,
        errors=(StepError("silver", "boom\n  at line 3"),),
    )
    table = _results_table([ok, failed])
    assert table.columns == [
        "institution_id",
        "night",
        "status",
        *LEDGER_FIELDS,
        "reconciles",
        "seconds",
    ]
    assert table["status"].to_list() == ["ok", "failed"]
    assert table[LEDGER_FIELDS[0]].to_list() == [3, None]
    _print_result(2, 2, failed)
    assert capsys.readouterr().out.splitlines() == [
        "[2/2] inst_001/2026-01-05: failed in 0.5s (run fedcba98)",
        "    silver: boom at line 3",
    ]
