"""Docs as tests: every `lakehouse` command the README and docs/CLI.md print runs as printed, and
every documented mistake gives the documented one-line error."""

from __future__ import annotations

import fnmatch
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.docs.markdown_blocks import ROOT, code_blocks, shell_commands

README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "CLI.md"


def _documented(doc: Path, subcommand: str) -> list[str]:
    commands = [
        line
        for block in code_blocks(doc.read_text(), "sh")
        for line in shell_commands(block, "lakehouse")
    ]
    return [c for c in commands if c.split()[1] == subcommand]


def _argv(command: str, home: Path) -> list[str]:
    return [str(home) if word == "DIR" else word for word in shlex.split(command)[1:]]


def _mistakes() -> list[tuple[str, str]]:
    """(command, the error line it prints) from docs/CLI.md's console block."""
    (block,) = [b for b in code_blocks(CLI_DOC.read_text(), "console")]
    lines = block.text.splitlines()
    return [
        (line.removeprefix("$ "), lines[i + 1])
        for i, line in enumerate(lines)
        if line.startswith("$ lakehouse ")
    ]


@pytest.fixture(scope="module")
def three_institutions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("docs") / "lakehouse_home"
    args = ["--institutions", "3", "--nights", "1", "--submissions", "50"]
    assert main(["generate", "--home", str(home), *args]) == 0
    return home


@pytest.mark.parametrize(("command", "printed"), _mistakes(), ids=[c for c, _ in _mistakes()])
def test_each_documented_mistake_prints_the_documented_error(
    three_institutions: Path, capsys: pytest.CaptureFixture[str], command: str, printed: str
) -> None:
    home = three_institutions
    argv = [str(home) if w == "lakehouse_home" else w for w in shlex.split(command)[1:]]
    before = sorted(p.name for p in home.iterdir())
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    expected = printed.replace(".../lakehouse_home", str(home)).replace("[", "[[]")
    assert fnmatch.fnmatchcase(line, expected), line
    assert sorted(p.name for p in home.iterdir()) == before


@pytest.mark.parametrize("doc", [README, CLI_DOC], ids=lambda p: p.name)
def test_the_documented_generate_runs_as_written(doc: Path, tmp_path: Path) -> None:
    (command,) = _documented(doc, "generate")
    assert main(_argv(command, tmp_path / "home")) == 0
    nights = sorted((tmp_path / "home" / "landing").glob("*/*-*-*"))
    # the run commands the same documents print name a partition this generates
    for run in _documented(doc, "run"):
        words = shlex.split(run)
        inst = words[words.index("--institution") + 1]
        night = words[words.index("--night") + 1]
        assert tmp_path / "home" / "landing" / inst / night in nights


@pytest.mark.parametrize("subcommand", ["generate", "run", "status"])
def test_every_documented_command_has_help(
    subcommand: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([subcommand, "--help"])
    assert exited.value.code == 0 and "--home" in capsys.readouterr().out


@pytest.mark.slow
def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    """generate, run one partition (and publish), status: each through the installed console
    script, in its own process, exactly as the README prints them."""
    home = tmp_path / "home"
    lakehouse = str(Path(sys.executable).parent / "lakehouse")
    env = {**os.environ, "DAGSTER_HOME": str(home / ".dagster")}
    outputs = {}
    for subcommand in ("generate", "run", "status"):
        (command,) = _documented(README, subcommand)
        completed = subprocess.run(
            [lakehouse, *_argv(command, home)], capture_output=True, text=True, env=env, check=False
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        assert "Traceback" not in completed.stderr
        outputs[subcommand] = completed.stdout
    assert "inst_000/2026-01-05: ok" in outputs["run"]
    assert "4 partitions landed: 1 ok, 3 not yet run" in outputs["status"]
    assert "dev -m orchestration.definitions -h 127.0.0.1" in outputs["status"]
