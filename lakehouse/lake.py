"""Atomic, idempotent partition writes to the Parquet lake.

A partition of a table is a folder (`lake/<layer>/<table>/institution=<id>/night=<date>/`). A write
builds the new folder aside, under the table's `.staging/` folder, then swaps it into place with one
`renameat2(RENAME_EXCHANGE)` call, so a reader or a crash sees either the whole old partition or the
whole new one, never a mix. Where the kernel or filesystem cannot exchange, the fallback renames the
old folder aside first and `recover_partition` puts it back if a crash struck between the renames.
The staging folder sits outside the hive pattern (`institution=*/night=*`), so globbing readers never
see half-written files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lakehouse.home import LakehouseHome, Layer, PartitionRef

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)


class LakeWriteError(RuntimeError):
    """A partition could not be written; the previous version of the partition is intact."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False where the platform cannot."""
    if _renameat2 is None:
        return False
    rc = _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a folder's entries (after a rename into it), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _staging_root(home: LakehouseHome, layer: Layer, table: str) -> Path:
    return home.table_dir(layer, table) / ".staging"


def _staging_prefix(ref: PartitionRef) -> str:
    return f"{ref.institution_id}__{ref.night.isoformat()}__"


def recover_partition(home: LakehouseHome, layer: Layer, table: str, ref: PartitionRef) -> None:
    """Undo what a crash left of an earlier write of this partition.

    Staging folders of the partition are deleted; if the partition itself is missing but a folder
    set aside by the non-atomic fallback survives, that old version is put back first.
    """
    root = _staging_root(home, layer, table)
    if not root.is_dir():
        return
    final = home.partition_dir(layer, table, ref)
    for leftover in sorted(root.glob(_staging_prefix(ref) + "*")):
        if leftover.name.endswith(".old") and not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            os.rename(leftover, final)
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def _publish(staged: Path, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    if not final.exists():
        os.rename(staged, final)
    elif _exchange(staged, final):
        shutil.rmtree(staged)
    else:
        aside = staged.with_name(staged.name + ".old")
        os.rename(final, aside)
        os.rename(staged, final)
        shutil.rmtree(aside)
    fsync_path(final.parent)


@dataclass
class StagedPartition:
    """The folder a partition is built in before it is published."""

    table: str
    final: Path
    path: Path
    files: list[Path] = field(default_factory=list)

    def file(self, name: str) -> Path:
        target = self.path / name
        self.files.append(target)
        return target

    def write(self, frame: pl.DataFrame, name: str = "part-00000.parquet") -> Path:
        """Write one Parquet file into the staged partition (fsynced before publishing)."""
        target = self.file(name)
        frame.write_parquet(target, compression="zstd", statistics=True)
        return target


@contextmanager
def partition_transaction(
    home: LakehouseHome, ref: PartitionRef, tables: list[tuple[Layer, str]]
) -> Iterator[dict[str, StagedPartition]]:
    """Stage new versions of one partition in several tables, then publish them together.

    Everything is written aside; only when the block ends without error are the staged folders
    fsynced and swapped into place one after the other (a few renames). On error the staged
    folders are removed and the published partitions are untouched.

    Examples
    --------
    >>> with partition_transaction(home, ref, [("bronze", "raw_submissions")]) as staged:
    ...     staged["raw_submissions"].write(frame)
    """
    staged: dict[str, StagedPartition] = {}
    try:
        for layer, table in tables:
            recover_partition(home, layer, table, ref)
            root = _staging_root(home, layer, table)
            root.mkdir(parents=True, exist_ok=True)
            path = root / f"{_staging_prefix(ref)}{uuid.uuid4().hex}"
            path.mkdir()
            staged[table] = StagedPartition(table, home.partition_dir(layer, table, ref), path)
        yield staged
        for part in staged.values():
            for f in part.path.iterdir():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        for part in staged.values():
            _publish(part.path, part.final)
    except BaseException as exc:
        for part in staged.values():
            shutil.rmtree(part.path, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            names = ", ".join(f"{layer}/{table}" for layer, table in tables)
            raise LakeWriteError(
                f"no space left on the device holding {home.lake} while writing partition {ref} "
                f"of {names}: free some space (or raise the quota) and re-run the partition; "
                "the previously published version is intact and nothing new was published"
            ) from exc
        raise


def write_partition(
    home: LakehouseHome, layer: Layer, table: str, ref: PartitionRef, frame: pl.DataFrame
) -> Path:
    """Replace one partition of one table by `frame`, atomically; returns the partition folder."""
    with partition_transaction(home, ref, [(layer, table)]) as staged:
        staged[table].write(frame)
    return home.partition_dir(layer, table, ref)


def table_glob(home: LakehouseHome, layer: Layer, table: str) -> str:
    """The hive glob of every published partition of a table (never matches `.staging/`)."""
    return str(home.table_dir(layer, table) / "institution=*" / "night=*" / "*.parquet")


def read_partition(
    home: LakehouseHome, layer: Layer, table: str, ref: PartitionRef
) -> pl.DataFrame:
    """Read one published partition whole (see `read_partition_lazy`)."""
    return read_partition_lazy(home, layer, table, ref).collect()


def read_partition_lazy(
    home: LakehouseHome, layer: Layer, table: str, ref: PartitionRef
) -> pl.LazyFrame:
    """A lazy scan of one published partition; a clear error names the asset to materialise
    when the partition is absent."""
    folder = home.partition_dir(layer, table, ref)
    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise FileNotFoundError(
            f"partition {ref} of {layer}/{table} has not been written yet "
            f"(no Parquet under {folder}); materialise `{table}` for it first"
        )
    return pl.scan_parquet(files)
