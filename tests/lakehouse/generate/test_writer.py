"""Batch-file bytes: deterministic gzip, defective lines spliced in place, broken files unreadable."""

from __future__ import annotations

import gzip
import zlib

import numpy as np
import polars as pl
import pytest

from lakehouse.generate.writer import garbage_parquet, gzip_bytes, truncated_gzip


def test_gzip_is_byte_identical_and_round_trips() -> None:
    data = b'{"answer_text": "TCP"}\n' * 100
    assert gzip_bytes(data) == gzip_bytes(data)
    assert gzip.decompress(gzip_bytes(data)) == data


def test_broken_files_do_not_read() -> None:
    with pytest.raises((EOFError, zlib.error, OSError)):
        gzip.decompress(truncated_gzip(b"x" * 10_000))
    junk = garbage_parquet(np.random.default_rng(0))
    assert junk[:4] == junk[-4:] == b"PAR1"
    with pytest.raises(Exception):  # noqa: B017 - any reader error: the file is not Parquet
        pl.read_parquet(junk)


def _records(n: int) -> pl.DataFrame:
    from lakehouse.contract import CONTRACT_FIELDS

    frame = pl.DataFrame({f: [f"{f}-{i}" for i in range(n)] for f in CONTRACT_FIELDS})
    return frame.with_columns(
        grade=pl.lit(7.0), max_grade=pl.lit(10.0), extra=pl.Series([False] * n), row=pl.int_range(n)
    )


def test_defective_lines_replace_their_records_in_place(tmp_path) -> None:
    from lakehouse.generate.writer import csv_bytes, jsonl_bytes
    from tests.lakehouse.readers.readers_support import read_all

    frame = _records(5)
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_bytes(jsonl_bytes(frame, {2: b'{"torn'}, blank_lines=False))
    raw = read_all(jsonl)
    assert raw["structural_reason"].to_list() == [None, None, "malformed_json", None, None]
    assert raw["submission_id"].to_list()[3] == "submission_id-3"
    csv = tmp_path / "a.csv"
    csv.write_bytes(csv_bytes(frame, {1: b"only,three,cells\n"}))
    raw = read_all(csv)
    assert raw["structural_reason"].to_list() == [None, "malformed_csv_row", None, None, None]
    assert raw["answer_text"].to_list()[4] == "answer_text-4"
