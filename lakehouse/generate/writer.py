"""Batch files as an LMS would drop them: JSONL, gzipped JSONL, CSV and Parquet, byte-for-byte
deterministic (gzip mtime 0, fixed Parquet settings), with defective lines spliced in place."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from lakehouse.contract import CONTRACT_FIELDS

TS_FORMATS: Final = (
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%:z",  # written in IST
    "%Y-%m-%dT%H:%M:%S%.6fZ",
)


def text_frame(records: pl.DataFrame) -> pl.DataFrame:
    """Contract fields with submitted_at as text in one of four accepted shapes; keeps `extra`."""
    ts = pl.col("submitted_at")
    text = (
        pl.when(pl.col("ts_format") == 0)
        .then(ts.dt.strftime(TS_FORMATS[0]))
        .when(pl.col("ts_format") == 1)
        .then(ts.dt.strftime(TS_FORMATS[1]))
        .when(pl.col("ts_format") == 2)
        .then(ts.dt.convert_time_zone("Asia/Kolkata").dt.strftime(TS_FORMATS[2]))
        .otherwise(ts.dt.strftime(TS_FORMATS[3]))
    )
    return records.with_columns(submitted_at=text).select(*CONTRACT_FIELDS, "extra", "row")


def _ndjson_lines(frame: pl.DataFrame) -> list[str]:
    if frame.height == 0:
        return []
    buf = io.BytesIO()
    frame.write_ndjson(buf)
    return buf.getvalue().decode().splitlines()


def jsonl_bytes(frame: pl.DataFrame, defects: dict[int, bytes], *, blank_lines: bool) -> bytes:
    """Records flagged `extra` carry unknown fields; one in ten writes its grades as strings."""
    n = frame.height
    variant = np.where(
        frame["extra"].to_numpy(), 1, np.where(frame["row"].to_numpy() % 10 == 3, 2, 0)
    )
    lines = np.empty(n, dtype=object)
    base = frame.select(CONTRACT_FIELDS)
    for v, sub in (
        (0, base),
        (
            1,
            base.with_columns(
                lms_attempt=pl.col("grade").is_null().cast(pl.Int64) + 1,
                device=pl.lit("android-app"),
            ),
        ),
        (2, base.with_columns(pl.col("grade", "max_grade").cast(pl.String))),
    ):
        rows = np.flatnonzero(variant == v)
        lines[rows] = _ndjson_lines(sub[rows])
    out = [line.encode() for line in lines]
    for pos, raw in defects.items():
        out[pos] = raw
    if blank_lines and n > 2:
        out.insert(n // 2, b"   ")
        out.insert(1, b"")
    return b"\n".join(out) + b"\n"


def csv_bytes(frame: pl.DataFrame, defects: dict[int, bytes]) -> bytes:
    """A header, then rows; defective rows are spliced in between polars-written segments."""
    base = frame.select(CONTRACT_FIELDS)
    parts: list[bytes] = []
    start = 0
    first = True
    for pos in [*sorted(defects), base.height]:
        buf = io.BytesIO()
        base[start:pos].write_csv(buf, include_header=first)
        parts.append(buf.getvalue())
        first = False
        if pos < base.height:
            parts.append(defects[pos])
        start = pos + 1
    return b"".join(parts)


def parquet_bytes(records: pl.DataFrame) -> bytes:
    """Typed columns (UTC timestamp, float grades) plus an extra `lms_attempt` column."""
    frame = records.select(CONTRACT_FIELDS).with_columns(lms_attempt=pl.lit(1, pl.Int64))
    buf = io.BytesIO()
    frame.write_parquet(buf, compression="zstd", statistics=False, row_group_size=50_000)
    return buf.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def truncated_gzip(data: bytes) -> bytes:
    """A gzip stream cut in half: unreadable as a whole."""
    whole = gzip_bytes(data)
    return whole[: max(20, len(whole) // 2)]


def garbage_parquet(rng: np.random.Generator) -> bytes:
    """Parquet magic around random bytes: looks like Parquet, reads as nothing."""
    return b"PAR1" + rng.integers(0, 256, 2048, dtype=np.uint8).tobytes() + b"PAR1"


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
