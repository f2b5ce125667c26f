"""What every format's reader shares: the raw frame's schema, provenance, and file errors."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.contract import BATCH_FILE_SUFFIXES, CONTRACT_FIELDS, QuarantineReason

RAW_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "file_sha256": pl.String(),
    **{f: pl.String() for f in CONTRACT_FIELDS},
    "extra": pl.String(),
    "structural_reason": pl.String(),
    "detail": pl.String(),
    "raw_record": pl.String(),
}

DEFAULT_CHUNK_BYTES: Final = 32 * 1024 * 1024
DEFAULT_BATCH_ROWS: Final = 100_000


class UnreadableFileError(Exception):
    """A batch file that cannot be read at all; the message names only what is wrong, never content."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A landed batch file and what provenance every record read from it carries."""

    path: Path
    name: str
    institution_id: str
    night: date
    sha256: str


def batch_files(night_dir: Path) -> list[Path]:
    """The batch files of a night folder in the order they are read (sorted by name).

    Files with other suffixes are not records: they are ignored (and counted by the caller).
    """
    return sorted(
        p for p in night_dir.iterdir() if p.is_file() and p.name.endswith(BATCH_FILE_SUFFIXES)
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def refuse_symlink(path: Path) -> None:
    """A landed batch file must be a file, not a link that could point anywhere on the disk."""
    if path.is_symlink():
        raise UnreadableFileError("a symbolic link, not a landed file")


def positional_names(count: int) -> list[str]:
    """Column names made of positions only (`c0`, `c1`, ...).

    Names read from a file never become SQL text or a polars column selector (polars reads a
    name like `^...$` as a regular expression): a file's columns are renamed to positions first,
    and its own names travel only as output aliases, which are taken literally.
    """
    return [f"c{i}" for i in range(count)]


def named_columns(names: Sequence[str]) -> tuple[list[pl.Expr], pl.Expr]:
    """Expressions over positionally named columns: the contract fields under their names, and
    the other columns as one JSON object (`extra`, keyed by the file's own names; null if none).
    """
    positions = positional_names(len(names))
    known = [
        pl.col(p).alias(n) for p, n in zip(positions, names, strict=True) if n in CONTRACT_FIELDS
    ]
    unknown = [
        pl.col(p).alias(n)
        for p, n in zip(positions, names, strict=True)
        if n not in CONTRACT_FIELDS
    ]
    extra = pl.struct(unknown).struct.json_encode() if unknown else pl.lit(None, pl.String)
    return known, extra.alias("extra")


def require_unique_names(names: Sequence[str]) -> None:
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        raise UnreadableFileError("no usable column names (empty or duplicate column names)")


def with_provenance(frame: pl.DataFrame, src: SourceFile) -> pl.DataFrame:
    """Add provenance, fill absent columns with nulls and order columns as RAW_SCHEMA."""
    frame = frame.with_columns(
        pl.lit(src.institution_id).alias("institution_id"),
        pl.lit(src.night).alias("night"),
        pl.lit(src.name).alias("source_file"),
        pl.lit(src.sha256).alias("file_sha256"),
    )
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in RAW_SCHEMA.items()
    )


def unreadable_file_frame(src: SourceFile, detail: str) -> pl.DataFrame:
    """The single quarantine record standing for a file that could not be read at all."""
    frame = pl.DataFrame(
        {
            "source_line": [0],
            "structural_reason": [str(QuarantineReason.UNREADABLE_FILE)],
            "detail": [detail],
        }
    )
    return with_provenance(frame, src)
