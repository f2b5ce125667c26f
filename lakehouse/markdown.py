"""Tables as Markdown: one builder for asset metadata and dataset cards, one printer for the CLI
and the benchmarks.

`markdown_table` renders a polars frame as a GitHub-flavoured Markdown table (Dagster shows such
metadata as a table); cells are the values' `str()`, a null is empty, and `|` or a line break in a
cell is escaped so one row stays one row. Format numbers in the frame (`pl.format`, `round`)
before calling it where a fixed precision matters. `print_table` prints a frame the way the
operator reads it on a terminal: polars' own ASCII Markdown rendering, every row and column shown.
`Markdown` marks a string as Markdown in a stage's plain metadata (the asset shows it as such).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl


class Markdown(str):
    """A metadata string to render as Markdown (Dagster: `MetadataValue.md`), not as plain text."""


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(
    frame: pl.DataFrame, *, headers: Sequence[str] | None = None, empty: str | None = None
) -> str:
    """`frame` as a Markdown table; `headers` replace the column names in the header row.

    An empty frame gives `empty` when it is set, else the header row alone."""
    if frame.is_empty() and empty is not None:
        return empty
    names = list(headers) if headers is not None else frame.columns
    if len(names) != frame.width:
        raise ValueError(f"{len(names)} headers for {frame.width} columns")
    lines = ["| " + " | ".join(_cell(n) for n in names) + " |", "|" + "---|" * frame.width]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join(lines)


def records_table(rows: Sequence[Mapping[str, Any]], *, empty: str | None = None) -> str:
    """A Markdown table of records whose keys may differ: the columns are every key in first-seen
    order, a missing key an empty cell, and every value its `str()` (no type inference)."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    frame = pl.DataFrame(
        {c: [None if row.get(c) is None else str(row.get(c)) for row in rows] for c in columns},
        schema=dict.fromkeys(columns, pl.String),
    )
    return markdown_table(frame, empty=empty)


def print_table(frame: pl.DataFrame, *, max_str_len: int = 80, width: int = 200) -> None:
    """Print `frame` whole as an ASCII Markdown table (strings cut at `max_str_len` characters)."""
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        tbl_formatting="ASCII_MARKDOWN",
        fmt_str_lengths=max_str_len,
        tbl_width_chars=width,
    ):
        print(frame)


def counts_markdown(title: str, counts: Mapping[str, int]) -> Markdown:
    """Counts by reason as a two-column table (`title`, records), reasons as code, sorted; a
    `(none)` row when there are none."""
    items = sorted(counts.items())
    frame = pl.DataFrame(
        {
            title: [f"`{reason}`" for reason, _ in items] or ["(none)"],
            "records": [n for _, n in items] or [0],
        }
    )
    return Markdown(markdown_table(frame))
