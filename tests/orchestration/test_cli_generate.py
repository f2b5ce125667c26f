"""`lakehouse generate`: its argument mistakes and what it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.cli import main
from tests.orchestration.cli_support import isolated_dagster_home, landed_home, one_error

__all__ = ["isolated_dagster_home", "landed_home"]


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
    assert message in one_error(capsys)
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
    assert f"--home {target} is a file, not a folder" in one_error(capsys)
