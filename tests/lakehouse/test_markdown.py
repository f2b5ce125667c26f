"""The one Markdown table helper: escaped cells, headers, empty frames, mixed records, printing."""

from __future__ import annotations

import polars as pl
import pytest

from lakehouse.markdown import markdown_table, print_table, records_table


def test_markdown_table_escapes_cells_and_keeps_one_row_per_row() -> None:
    frame = pl.DataFrame({"step": ["a|b", "line\nbreak"], "n": [1, None]})
    assert markdown_table(frame) == ("| step | n |\n|---|---|\n| a\\|b | 1 |\n| line break |  |")


def test_headers_replace_column_names_and_must_match_the_width() -> None:
    frame = pl.DataFrame({"docs_in": [3]})
    assert markdown_table(frame, headers=["docs in"]).splitlines()[0] == "| docs in |"
    with pytest.raises(ValueError, match="2 headers for 1 columns"):
        markdown_table(frame, headers=["a", "b"])


def test_an_empty_frame_gives_the_placeholder_or_the_header_alone() -> None:
    frame = pl.DataFrame({"reason": []}, schema={"reason": pl.String})
    assert markdown_table(frame, empty="(none)") == "(none)"
    assert markdown_table(frame) == "| reason |\n|---|"


def test_records_with_different_keys_and_types_make_one_table() -> None:
    rows = [{"id": 1, "text": "x"}, {"id": "two", "score": 0.5}]
    assert records_table(rows) == (
        "| id | text | score |\n|---|---|---|\n| 1 | x |  |\n| two |  | 0.5 |"
    )
    assert records_table([], empty="(no example rows)") == "(no example rows)"


def test_print_table_shows_every_row(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(pl.DataFrame({"night": [f"2026-01-{d:02d}" for d in range(1, 31)]}))
    out = capsys.readouterr().out
    assert "2026-01-30" in out and "2026-01-15" in out and "shape" not in out
