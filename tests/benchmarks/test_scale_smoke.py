"""Smoke test of benchmarks/scale.py: a tiny run prints every layer with rows (no timings asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks import scale  # noqa: E402


def markdown_tables(text: str) -> list[list[dict[str, str]]]:
    """Every Markdown table in `text` as a list of rows (header -> cell)."""
    tables: list[list[dict[str, str]]] = []
    lines = [line.strip() for line in text.splitlines()]
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|--"):
            header = [c.strip() for c in lines[i].strip("|").split("|")]
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip("|").split("|")]
                rows.append(dict(zip(header, cells, strict=True)))
                i += 1
            tables.append(rows)
        else:
            i += 1
    return tables


@pytest.mark.slow
def test_scale_prints_every_layer_with_rows(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    scale.main(
        [
            "--sizes",
            "200",
            "--nights",
            "2",
            "--night-size",
            "200",
            "--score-sample",
            "50",
            "--work",
            str(tmp_path / "work"),
        ]
    )
    out = capsys.readouterr().out
    size_table, night_seconds, night_cpu, night_rss, night_inputs = markdown_tables(out)

    by_layer = {row["layer"]: row for row in size_table}
    assert set(scale.LAYERS) <= set(by_layer)
    for layer in scale.LAYERS:
        row = by_layer[layer]
        assert row["seconds"] != "null", layer  # the layer ran (a failure prints null)
        assert int(row["peak_RSS_MB"]) > 0, layer
        # a fresh home's first night has no history to train filter or reward models on
        if layer not in ("filter_models", "reward_model"):
            assert int(row["rows_in"]) > 0, layer
            assert int(row["rows_out"]) > 0, layer
            assert int(row["rows_per_s"]) > 0, layer
    # the sample of 50 rows is scored and the night's time extrapolated, and says so
    assert by_layer["filter_models"]["note"] == "no earlier night: no models"
    assert by_layer["reward_model"]["note"] == "cold_start"
    assert int(by_layer["reward_score"]["rows_out"]) == 50
    assert "extrapolated" in by_layer["reward_score"]["note"]

    assert [row["night"] for row in night_seconds] == ["1", "2"]
    for table in (night_seconds, night_cpu, night_rss):
        for row in table:
            for layer in scale.LAYERS:
                assert row[layer] != "null", (row["night"], layer)
    second = night_inputs[1]
    # the second night trains its filter and reward models on the first night's rows
    assert int(second["filter_training_rows"]) > 0
    assert int(second["reward_training_rows"]) > 0
    assert second["reward_scope"] == "institution"
    assert int(second["dedup_index_entries"]) > 0
    assert int(second["release_rows_in"]) > int(night_inputs[0]["release_rows_in"])
