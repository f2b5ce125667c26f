"""Docs as tests: every loading snippet of every dataset card runs as printed (from the home, after
the README's set-up) and returns exactly the columns the card's Schema section lists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lakehouse.exports.release import build_release
from lakehouse.home import LakehouseHome
from tests.docs.markdown_blocks import code_blocks
from tests.lakehouse.exports.conftest import curated, sample_answers, write_lake


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> LakehouseHome:
    """A home with one release of every dataset, built from hand-made lake partitions."""
    home = LakehouseHome(tmp_path_factory.mktemp("cards") / "home")
    frame = sample_answers()
    refs = write_lake(home, frame, curated_frame=curated(frame, dropped={"s0003": "perplexity"}))
    build_release(home, refs)
    return home


def _listed(card: str, label: str) -> list[str]:
    (line,) = [ln for ln in card.splitlines() if ln.startswith(label)]
    return re.findall(r"`([^`]+)`", line.removeprefix(label))


def _columns(value: Any) -> tuple[list[str], list[str]]:
    """(columns, metadata fields) of what a snippet returned."""
    import datasets
    import duckdb
    import polars as pl

    if isinstance(value, datasets.Dataset):
        return value.column_names, list(value.features["metadata"])
    if isinstance(value, pl.DataFrame):
        return value.columns, [f.name for f in value.schema["metadata"].fields]  # type: ignore[attr-defined]
    assert isinstance(value, duckdb.DuckDBPyRelation), type(value)
    struct = value.types[value.columns.index("metadata")]
    return value.columns, [name for name, _ in struct.children]


DATASETS = ("pretrain", "sft", "preference", "reward", "critique")


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_loading_snippet_runs_and_matches_the_schema(
    released: LakehouseHome,
    dataset: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    (card_path,) = (released.exports / dataset).glob("release=*/DATASET_CARD.md")
    card = card_path.read_text()
    loading = card.split("## Loading", 1)[1]
    assert "cd lakehouse_home" in loading and "'.[hf]'" in loading
    columns = _listed(card, "Columns: ")
    fields = _listed(card, "`metadata` fields: ")
    snippets = code_blocks(loading, "python")
    assert len(snippets) == 3
    monkeypatch.chdir(released.root)  # the card: "Run these from $LAKEHOUSE_HOME"
    for snippet in snippets:
        namespace: dict[str, Any] = {}
        exec(compile(snippet.text, f"{dataset} card", "exec"), namespace)
        (result,) = [v for k, v in namespace.items() if k in ("ds", "df", "rel")]
        assert _columns(result) == (columns, fields), snippet.text
