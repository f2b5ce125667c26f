"""What every reader shares: which files are batches, positional column names, provenance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from lakehouse.readers.common import (
    RAW_SCHEMA,
    SourceFile,
    UnreadableFileError,
    batch_files,
    file_sha256,
    named_columns,
    refuse_symlink,
    require_unique_names,
    unreadable_file_frame,
)


def test_batch_files_are_the_contract_suffixes_sorted(tmp_path: Path) -> None:
    for name in ("b.csv", "a.jsonl", "c.jsonl.gz", "d.parquet", "notes.txt", "e.json"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub.csv").mkdir()
    assert [p.name for p in batch_files(tmp_path)] == [
        "a.jsonl",
        "b.csv",
        "c.jsonl.gz",
        "d.parquet",
    ]


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    target.write_text("x")
    link = tmp_path / "b.csv"
    link.symlink_to(target)
    refuse_symlink(target)
    with pytest.raises(UnreadableFileError, match="symbolic link"):
        refuse_symlink(link)


def test_file_names_travel_as_aliases_and_unknown_columns_as_extra() -> None:
    frame = pl.DataFrame({"c0": ["s1"], "c1": ["^.*$"], "c2": ["n"]})
    known, extra = named_columns(["submission_id", "^.*$", "teacher's note"])
    out = frame.select(*known, extra)
    assert out.columns == ["submission_id", "extra"]
    assert out["extra"][0] == '{"^.*$":"^.*$","teacher\'s note":"n"}'
    with pytest.raises(UnreadableFileError):
        require_unique_names(["a", "a"])


def test_an_unreadable_file_is_one_quarantine_record(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"abc")
    src = SourceFile(path, "a.csv", "inst_a", date(2026, 1, 5), file_sha256(path))
    assert src.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    frame = unreadable_file_frame(src, "truncated")
    assert frame.schema == pl.Schema(RAW_SCHEMA) and frame.height == 1
    row = frame.row(0, named=True)
    assert (row["structural_reason"], row["source_file"], row["source_line"]) == (
        "unreadable_file",
        "a.csv",
        0,
    )
