"""Parquet reader: column names from the file are taken literally; duplicates quarantine the file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse.readers import UnreadableFileError
from tests.lakehouse.readers.readers_support import read_all, real_answers


def test_real_answers_with_odd_column_names(night_dir: Path) -> None:
    rows = real_answers()
    frame = pl.DataFrame(rows).with_columns(pl.lit(7).alias("^.*$"))
    path = night_dir / "saf.parquet"
    frame.write_parquet(path)

    read = read_all(path)

    assert read.get_column("answer_text").to_list() == [r["answer_text"] for r in rows]
    assert json.loads(read.get_column("extra")[0]) == {
        "teacher's note": rows[0]["teacher's note"],
        "^.*$": 7,
    }
    assert read.get_column("structural_reason").null_count() == len(rows)


def test_duplicate_column_names_make_the_file_unreadable(night_dir: Path) -> None:
    table = pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], ["answer_text", "answer_text"])
    path = night_dir / "dup.parquet"
    pq.write_table(table, path)

    with pytest.raises(UnreadableFileError, match="duplicate"):
        read_all(path)
