"""Readers that turn one landed batch file into raw frames, never raising on bad content.

Every format is normalised to the same raw frame: the provenance columns, every contract field as a
nullable string exactly as it landed, `extra` (a JSON object of unknown fields), `structural_reason`
(set when the record could not be parsed at all, or a field held an object or array) and
`raw_record` (the original JSONL line; null for CSV/Parquet, whose cells are re-encoded only if the
record is quarantined). Validation and typing happen afterwards, vectorised, in `lakehouse.validate`.

Large files are read in bounded chunks (JSONL by byte blocks cut at newlines, CSV by DuckDB's
streaming reader, Parquet by row batches), so memory does not grow with the size of a night.

Landed files are untrusted: nothing read from a file becomes SQL text or a polars column selector,
and the DuckDB connections that parse them can open no other file (`sandbox`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import duckdb
import polars as pl
import pyarrow as pa

from lakehouse.readers.common import (
    DEFAULT_BATCH_ROWS,
    DEFAULT_CHUNK_BYTES,
    RAW_SCHEMA,
    SourceFile,
    UnreadableFileError,
    batch_files,
    file_sha256,
    refuse_symlink,
    unreadable_file_frame,
)
from lakehouse.readers.csv import read_csv
from lakehouse.readers.jsonl import read_jsonl
from lakehouse.readers.parquet import read_parquet

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "DEFAULT_CHUNK_BYTES",
    "RAW_SCHEMA",
    "SourceFile",
    "UnreadableFileError",
    "batch_files",
    "file_sha256",
    "read_batch_file",
    "unreadable_file_frame",
]


def read_batch_file(
    src: SourceFile,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pl.DataFrame]:
    """Yield raw frames for one batch file.

    A file that cannot be read at all (corrupt gzip or Parquet, unreadable bytes where a CSV
    header should be, a symbolic link) raises `UnreadableFileError`; the caller discards what the
    file had yielded and quarantines the file as one record, so a file is either read whole or
    quarantined whole.
    """
    try:
        refuse_symlink(src.path)
        if src.name.endswith((".jsonl", ".jsonl.gz")):
            yield from read_jsonl(src, chunk_bytes)
        elif src.name.endswith(".csv"):
            yield from read_csv(src, batch_rows)
        elif src.name.endswith(".parquet"):
            yield from read_parquet(src, batch_rows)
        else:
            raise UnreadableFileError(f"unsupported file type: {src.name}")
    except (
        OSError,
        EOFError,
        zlib.error,
        duckdb.Error,
        pa.ArrowException,
        pl.exceptions.PolarsError,
    ) as exc:
        raise UnreadableFileError(type(exc).__name__) from exc
