"""Shards: bounded rows and bytes, reproducible Parquet and gzip."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl

from lakehouse.exports.shards import shard_index, write_shards


def _frame(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"text": [f"document {i} " + "x" * (i % 7) for i in range(n)], "n": range(n)}
    )


def test_shards_bound_rows_and_bytes() -> None:
    frame = _frame(100)
    ids = shard_index(frame, text_columns=["text"], max_rows=10, max_bytes=10**9)
    assert ids.value_counts()["count"].max() == 10 and ids.n_unique() == 10
    ids = shard_index(frame, text_columns=["text"], max_rows=1000, max_bytes=100)
    sizes = frame.with_columns(ids.alias("s"), pl.col("text").str.len_bytes().alias("b"))
    per = sizes.group_by("s").agg(pl.col("b").sum(), pl.col("b").max().alias("biggest"))
    assert (per["b"] <= 100 + per["biggest"]).all()
    assert ids.is_sorted()


def test_write_is_byte_identical_and_jsonl_matches(tmp_path: Path) -> None:
    frame = _frame(25).with_columns(pl.struct(pl.col("n").alias("k")).alias("metadata"))
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        shards = write_shards(
            frame, tmp_path / name, text_columns=["text"], max_rows=10, max_bytes=10**9, jsonl=True
        )
    assert [s.rows for s in shards] == [10, 10, 5]
    for s in shards:
        for f in s.files:
            assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    raw = (tmp_path / "a" / "part-00000.jsonl.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip mtime 0
    lines = gzip.decompress(raw).decode().splitlines()
    assert [json.loads(line)["text"] for line in lines] == frame["text"][:10].to_list()
    back = pl.read_parquet(tmp_path / "a" / "*.parquet")
    assert back.equals(frame)


def test_empty_frame_still_has_one_shard(tmp_path: Path) -> None:
    shards = write_shards(
        _frame(0), tmp_path, text_columns=["text"], max_rows=10, max_bytes=10, jsonl=True
    )
    assert [s.rows for s in shards] == [0]
    assert pl.read_parquet(tmp_path / "part-00000.parquet").columns == ["text", "n"]
