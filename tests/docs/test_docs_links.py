"""Docs as tests: the documents users read link only to what is in the repository."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from orchestration.cli import build_parser
from tests.docs.markdown_blocks import ROOT, USER_DOCS, code_blocks, local_links


@pytest.mark.parametrize("doc", USER_DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    for target in local_links(text):
        resolved = (doc.parent / target).resolve()
        assert resolved.exists(), f"{doc.name}: {target}"
        assert resolved.is_relative_to(ROOT), f"{doc.name}: {target} leaves the repository"
    assert "shared/DESIGN.md" not in text and "shared/CONTRACT.md" not in text


def test_the_design_and_the_contract_live_in_docs() -> None:
    for name in ("DESIGN.md", "CONTRACT.md", "CLI.md"):
        assert (ROOT / "docs" / name).is_file()
    readme = (ROOT / "README.md").read_text()
    assert "(docs/DESIGN.md)" in readme and "(docs/CONTRACT.md)" in readme


def _documented_options(section: str) -> set[str]:
    return {
        word.strip("`|")
        for line in section.splitlines()
        if line.startswith("| `--")
        for word in line.split()[1:2]
    }


@pytest.mark.parametrize("command", ["generate", "run"])
def test_cli_reference_lists_every_option_of_the_parser(command: str) -> None:
    text = (ROOT / "docs" / "CLI.md").read_text()
    section = text.split(f"## `lakehouse {command}`", 1)[1].split("\n## ", 1)[0]
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = sub.choices[command]
    options = {
        o for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"
    }
    assert _documented_options(section) == options - {"--home"}


def test_every_cli_block_calls_a_real_subcommand() -> None:
    subcommands = {"generate", "run", "status"}
    for doc in USER_DOCS:
        for block in code_blocks(doc.read_text(), "sh", "console"):
            for raw in block.text.splitlines():
                line = raw.removeprefix("$ ").strip()
                if line.startswith("lakehouse "):
                    assert line.split()[1] in subcommands, f"{doc.name}: {line}"


def test_the_contract_names_every_quarantine_and_exclusion_reason() -> None:
    from lakehouse.contract import ExclusionReason, QuarantineReason

    contract = (ROOT / "docs" / "CONTRACT.md").read_text()
    for reason in [*QuarantineReason, *ExclusionReason]:
        assert f"`{reason}" in contract, reason
