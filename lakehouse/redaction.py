"""Redacting landing copies: the one place the pipeline rewrites what an institution delivered.

Landing is otherwise read-only to the pipeline. A student who asked for erasure, or withdrew
consent (DPDP Act 2023, s. 6(6) and 8(7): withdrawal ends processing and the data is erased), is
removed from the landed batch files and from `roster.csv` by the rights path
(`lakehouse.rights.apply_rights`): each affected file is rewritten beside itself without the
student's records and renamed over the original (one `os.replace`), so a reader sees the old file
or the new one. A file holding none of them is not touched (same bytes, same modification time),
so a second pass changes nothing and the landing sensor's fingerprint settles after one re-run.

A record is the student's when its `student_id` field (trimmed, case-insensitive) is one of
theirs, or when its text names one of their ids or roster names as a whole word: a torn JSON line
or a malformed CSV row that can no longer be parsed is still found. `consent.csv` and the erasure
requests are kept: they are the legal record of what was asked and when (README, "For the
data-protection officer").
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lakehouse.atomic import atomic_file
from lakehouse.readers.common import batch_files


@dataclass(frozen=True)
class Needles:
    """What identifies the students to remove: raw ids and roster names."""

    ids: tuple[str, ...]
    names: tuple[str, ...] = ()

    @property
    def pattern(self) -> str:
        words = sorted({w.strip() for w in (*self.ids, *self.names) if w and w.strip()})
        return r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"

    def ids_folded(self) -> pl.Series:
        return pl.Series([i.strip().casefold() for i in self.ids], dtype=pl.String)


def _holding(texts: pl.Series, student_ids: pl.Series, needles: Needles) -> pl.Series:
    """True where a record is the student's: its id field, or its text naming them."""
    by_field = (
        student_ids.str.strip_chars().str.to_lowercase().is_in(needles.ids_folded().implode())
    )
    return (by_field.fill_null(False) | texts.str.contains(needles.pattern).fill_null(False)).alias(
        "hold"
    )


def _replace(path: Path, data: bytes) -> None:
    """Replace a landed file atomically, keeping its permission bits (set explicitly: a run's
    private umask would otherwise take the group's read away from the institution's account)."""
    mode = path.stat().st_mode & 0o777
    with atomic_file(path, mode=mode) as tmp:
        tmp.write_bytes(data)
        os.chmod(tmp, mode)


def _redact_jsonl(raw: bytes, needles: Needles) -> tuple[bytes, int]:
    lines = raw.split(b"\n")
    texts = pl.Series([line.decode("utf-8", "replace") for line in lines], dtype=pl.String)
    hold = _holding(texts, texts.str.json_path_match("$.student_id"), needles)
    removed = int(hold.sum())
    if not removed:
        return raw, 0
    keep = (~hold).to_list()
    return b"\n".join(line for line, k in zip(lines, keep, strict=True) if k), removed


def _redact_csv(
    raw: bytes, needles: Needles, *, id_column: str = "student_id"
) -> tuple[bytes, int]:
    """Drop the physical lines of each CSV record that is the student's (a quoted cell spanning
    lines goes with its record); every other line keeps its bytes."""
    text = raw.decode("utf-8", "replace")
    lines = raw.split(b"\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return raw, 0
    column = header.index(id_column) if id_column in header else None
    spans: list[tuple[int, int]] = []
    values: list[str | None] = []
    start = reader.line_num
    try:
        for row in reader:
            spans.append((start, reader.line_num))
            values.append(row[column] if column is not None and column < len(row) else None)
            start = reader.line_num
    except csv.Error:
        spans.append((start, len(lines)))
        values.append(None)
    decoded = [line.decode("utf-8", "replace") for line in lines]
    texts = pl.Series(["\n".join(decoded[a:b]) for a, b in spans], dtype=pl.String)
    hold = _holding(texts, pl.Series(values, dtype=pl.String), needles).to_list()
    drop = {i for (a, b), h in zip(spans, hold, strict=True) if h for i in range(a, b)}
    if not drop:
        return raw, 0
    return b"\n".join(line for i, line in enumerate(lines) if i not in drop), sum(hold)


def _redact_parquet(path: Path, needles: Needles) -> tuple[pl.DataFrame | None, int]:
    frame = pl.read_parquet(path)
    strings = [c for c, t in frame.schema.items() if t == pl.String]
    if not strings:
        return None, 0
    texts = frame.select(pl.concat_str(strings, separator="\n", ignore_nulls=True)).to_series()
    ids = frame["student_id"].cast(pl.String) if "student_id" in frame.columns else texts.clear()
    if ids.len() != texts.len():
        ids = pl.Series([None] * texts.len(), dtype=pl.String)
    hold = _holding(texts, ids, needles)
    removed = int(hold.sum())
    return (frame.filter(~hold), removed) if removed else (None, 0)


def _gunzip(raw: bytes) -> tuple[bytes, bool]:
    """The content of a gzip file, and whether it is torn (then: what can be read of it)."""
    try:
        return gzip.decompress(raw), False
    except (EOFError, gzip.BadGzipFile, zlib.error):
        reader = zlib.decompressobj(wbits=31)
        try:
            return reader.decompress(raw), True
        except zlib.error:
            return b"", True


def _gzip(data: bytes, *, torn: bool) -> bytes:
    """Compress `data`; a torn file stays torn (no end-of-stream marker), so it is quarantined
    as unreadable as before, only without the student's records."""
    if not torn:
        return gzip.compress(data, mtime=0)
    writer = zlib.compressobj(wbits=31)
    return writer.compress(data) + writer.flush(zlib.Z_SYNC_FLUSH)


def redact_file(path: Path, needles: Needles) -> int:
    """Rewrite one landed batch file without the students' records; returns how many records
    were removed (0: the file was left untouched). An unreadable file is left as it is."""
    if not needles.ids and not needles.names:
        return 0
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            kept, removed = _redact_parquet(path, needles)
            if kept is not None:
                buffer = io.BytesIO()
                kept.write_parquet(buffer)
                _replace(path, buffer.getvalue())
            return removed
        raw = path.read_bytes()
        if name.endswith(".jsonl.gz"):
            text, torn = _gunzip(raw)
            data, removed = _redact_jsonl(text, needles)
            if removed:
                _replace(path, _gzip(data, torn=torn))
            return removed
        redact = _redact_jsonl if name.endswith(".jsonl") else _redact_csv
        data, removed = redact(raw, needles)
    except (OSError, EOFError, gzip.BadGzipFile, pl.exceptions.PolarsError):
        return 0
    if removed:
        _replace(path, data)
    return removed


def redact_night(night_dir: Path, needles: Needles) -> dict[str, int]:
    """Redact every batch file of a night folder; returns {file name: records removed} for the
    files that changed."""
    files = [f for f in batch_files(night_dir) if not f.is_symlink()]
    changed = {f.name: redact_file(f, needles) for f in files}
    return {name: n for name, n in changed.items() if n}


def redact_roster(roster: Path, person_ids: Sequence[str]) -> int:
    """Remove the roster rows of these people; returns how many were removed."""
    if not roster.is_file() or not person_ids:
        return 0
    data, removed = _redact_csv(
        roster.read_bytes(), Needles(tuple(person_ids)), id_column="person_id"
    )
    if removed:
        _replace(roster, data)
    return removed


def holding_rows(frame: pl.DataFrame, needles: Needles) -> pl.Series:
    """True for the rows of a lake frame (bronze `raw_submissions` or `quarantine`) that are the
    students': the same predicate as for a landed file, over every text column (a quarantined
    record's `raw_record` included) and the `student_id` column where there is one."""
    if frame.is_empty() or (not needles.ids and not needles.names):
        return pl.Series("hold", [False] * frame.height, dtype=pl.Boolean)
    strings = [c for c, t in frame.schema.items() if t == pl.String]
    texts = frame.select(pl.concat_str(strings, separator="\n", ignore_nulls=True)).to_series()
    ids = (
        frame["student_id"].cast(pl.String)
        if "student_id" in frame.columns
        else texts.str.json_path_match("$.student_id")
    )
    return _holding(texts, ids, needles)
