"""Docs as tests: dbt_project/README.md's commands and snippets run as printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lakehouse.home import LakehouseHome
from lakehouse.warehouse import dbt_env
from tests.docs.markdown_blocks import ROOT, Block, code_blocks

DBT_README = ROOT / "dbt_project" / "README.md"


def _blocks(language: str) -> list[Block]:
    return code_blocks(DBT_README.read_text(), language)


def _run_shell(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _vars_block() -> str:
    (block,) = [b for b in _blocks("sh") if "VARS=" in b.text]
    return block.text


def test_a_mistyped_lake_root_fails_the_build_with_a_clear_message(tmp_path: Path) -> None:
    """The README's build-then-docs line for another home, with a typo in lake_root: an error,
    not an empty warehouse whose tests pass (and the docs step never runs)."""
    home = tmp_path / "home"
    (home / "lake" / "bronze").mkdir(parents=True)
    scratch = tmp_path / "scratch.duckdb"
    script = (
        _vars_block()
        .replace("/path/to/home/lake", str(home / "lakee"))
        .replace("/tmp/scratch.duckdb", str(scratch))
    )
    completed = _run_shell(f"cd dbt_project\n{script}", dbt_env(tmp_path / "target"))
    assert completed.returncode != 0
    assert f"lake_root {home / 'lakee'} holds no lake file" in completed.stdout
    assert not (tmp_path / "target" / "catalog.json").exists()
    if scratch.exists():  # dbt may have opened it, but built nothing
        with duckdb.connect(str(scratch), read_only=True) as con:
            tables = con.execute("select count(*) from information_schema.tables").fetchone()
        assert tables == (0,)


@pytest.mark.slow
def test_build_then_docs_then_every_query_as_printed(
    pipeline_home: LakehouseHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    shutil.copytree(pipeline_home.lake, home / "lake")
    (block,) = [b for b in _blocks("sh") if "dbt docs generate" in b.text and "VARS" not in b.text]
    script = "\n".join(ln for ln in block.text.splitlines() if "docs serve" not in ln)
    target = tmp_path / "target"
    env = {
        **dbt_env(target),
        "LAKEHOUSE_HOME": str(home),
        "LAKEHOUSE_WAREHOUSE_BUILD_PATH": str(home / "warehouse.duckdb"),
    }
    completed = _run_shell(script, env)
    assert completed.returncode == 0, completed.stdout[-3000:]
    catalog = json.loads((target / "catalog.json").read_text())
    assert len(catalog["nodes"]) >= 9
    assert all(node["columns"] for node in catalog["nodes"].values())

    # the Python snippet, from the project root with LAKEHOUSE_HOME set
    (python,) = _blocks("python")
    monkeypatch.setenv("LAKEHOUSE_HOME", str(home))
    namespace: dict[str, Any] = {}
    exec(compile(python.text, "dbt README", "exec"), namespace)
    assert namespace["ledger"].height == len(
        list((home / "lake").glob("gold/partition_ledger/*/*"))
    )

    # every SQL example, and the contributor-ledger one-liner
    queries = [b.text for b in _blocks("sql")]
    inline = DBT_README.read_text().split("(and the payout basis for students: `", 1)[1]
    queries.append(inline.split("`", 1)[0])
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for query in queries:
            assert con.sql(query).fetchall() is not None, query
    assert os.path.exists(home / "warehouse.duckdb")
