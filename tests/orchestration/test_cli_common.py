"""Mistakes every command reports the same way: a bad night, institution or home is one `error:`
line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.cli import main
from tests.orchestration.cli_support import isolated_dagster_home, landed_home, one_error

__all__ = ["isolated_dagster_home", "landed_home"]


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
    assert message.format(landing=landed_home / "landing") in one_error(capsys)
    assert sorted(p.name for p in landed_home.iterdir()) == ["_truth", "config", "landing"]


@pytest.mark.parametrize("command", ["status", "run"])
def test_a_folder_that_is_not_a_lakehouse_home_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "does" / "not" / "exist"
    assert main([command, "--home", str(missing)]) == 2
    assert f"error: {missing} is not a lakehouse home (does not exist;" in one_error(capsys)
    assert not missing.exists()
    assert main([command, "--home", str(tmp_path)]) == 2
    assert "has no landing/ folder" in one_error(capsys)
