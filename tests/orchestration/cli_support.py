"""What the CLI tests share: a landed home that never ran, the one-error-line check, and a
Dagster home of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.cli import main


@pytest.fixture(autouse=True)
def isolated_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


@pytest.fixture(scope="module")
def landed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated home that has landed and never run (2 institutions x 2 nights x 60)."""
    root = tmp_path_factory.mktemp("landed") / "home"
    args = ["--institutions", "2", "--nights", "2", "--submissions", "60"]
    assert main(["generate", "--home", str(root), *args]) == 0
    return root


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    return lines[0]
