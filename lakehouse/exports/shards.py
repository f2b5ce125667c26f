"""Deterministic, bounded shards: the same frame gives the same files, byte for byte.

A frame is cut, in its order, into shards of at most `shard_max_rows` rows; a shard is also
closed once the UTF-8 text it holds would pass `shard_max_bytes` (a row goes to the shard where
its text ends, so a shard holds at most `shard_max_bytes` of text plus the row that crosses the
line). Both are computed with cumulative sums, no loop over rows. Parquet is written by polars
with fixed settings (zstd, statistics, one row group per shard); JSON Lines are gzipped with
`mtime=0` and no file name in the header, so nothing of the time or place of the build enters a
file.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.atomic import fsync_path

PARQUET_NAME: Final = "part-{:05d}.parquet"
JSONL_NAME: Final = "part-{:05d}.jsonl.gz"
GZIP_LEVEL: Final = 6


@dataclass(frozen=True, slots=True)
class Shard:
    """One written shard: its files (relative to the release folder) and rows."""

    index: int
    rows: int
    files: tuple[str, ...]


def shard_index(
    frame: pl.DataFrame, *, text_columns: Sequence[str], max_rows: int, max_bytes: int
) -> pl.Series:
    """The 0-based shard of every row, non-decreasing in row order."""
    if frame.is_empty():
        return pl.Series("shard", [], dtype=pl.Int64)
    size = pl.sum_horizontal(
        pl.col(c).fill_null("").str.len_bytes().cast(pl.Int64) for c in text_columns
    )
    keys = frame.select(
        ((size.cum_sum() - 1).clip(lower_bound=0) // max_bytes).alias("_bytes_bucket")
    ).with_columns((pl.int_range(pl.len()).over("_bytes_bucket") // max_rows).alias("_rows_bucket"))
    return keys.select(
        pl.struct("_bytes_bucket", "_rows_bucket").rle_id().cast(pl.Int64).alias("shard")
    ).to_series()


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write one shard as Parquet with the fixed settings every shard uses."""
    frame.write_parquet(
        path,
        compression="zstd",
        compression_level=3,
        statistics=True,
        row_group_size=max(frame.height, 1),
    )
    fsync_path(path)


def write_jsonl_gz(frame: pl.DataFrame, path: Path) -> None:
    """Write one shard as gzipped JSON Lines (Dolma's layout), reproducibly."""
    text = frame.write_ndjson() if frame.height else ""
    with open(path, "wb") as raw:
        with gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL
        ) as gz:
            gz.write(text.encode("utf-8"))
        raw.flush()
        os.fsync(raw.fileno())


def write_shards(
    frame: pl.DataFrame,
    folder: Path,
    *,
    text_columns: Sequence[str],
    max_rows: int,
    max_bytes: int,
    jsonl: bool = False,
) -> list[Shard]:
    """Write `frame` as `part-00000.parquet`, ... (and `.jsonl.gz` beside them when `jsonl`) in
    `folder`; an empty frame still gets one empty shard, so a loader finds the schema."""
    ids = shard_index(frame, text_columns=text_columns, max_rows=max_rows, max_bytes=max_bytes)
    count = ids.n_unique() if ids.len() else 1
    parts = (
        frame.with_columns(ids.alias("_shard")).partition_by(
            "_shard", maintain_order=True, include_key=False, as_dict=True
        )
        if frame.height
        else {}
    )
    shards: list[Shard] = []
    for i in range(count):
        part = parts.get((i,), frame.clear())
        names = [PARQUET_NAME.format(i)]
        write_parquet(part, folder / names[0])
        if jsonl:
            names.append(JSONL_NAME.format(i))
            write_jsonl_gz(part, folder / names[1])
        shards.append(Shard(index=i, rows=part.height, files=tuple(names)))
    return shards
