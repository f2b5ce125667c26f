"""Atomic, idempotent partition writes to the Parquet lake.

A partition of a table is a folder (`lake/<layer>/<table>/institution=<id>/night=<date>/`). A write
builds the new folder aside, under the table's `.staging/` folder, then swaps it into place
(`lakehouse.atomic`: one `renameat2(RENAME_EXCHANGE)`, or a set-aside fallback that
`recover_partition` undoes after a crash), so a reader or a crash sees either the whole old
partition or the whole new one, never a mix. The staging folder sits outside the hive pattern
(`institution=*/night=*`), so globbing readers never see half-written files.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lakehouse.atomic import STAGING, StagedTarget, atomic_dirs, recover_staging
from lakehouse.home import LakehouseHome, Layer, PartitionRef


class LakeWriteError(RuntimeError):
    """A partition could not be written; the previous version of the partition is intact."""


def _target(home: LakehouseHome, layer: Layer, table: str, ref: PartitionRef) -> StagedTarget:
    return StagedTarget(
        final=home.partition_dir(layer, table, ref),
        staging_root=home.table_dir(layer, table) / STAGING,
        prefix=f"{ref.institution_id}__{ref.night.isoformat()}__",
    )


def recover_partition(home: LakehouseHome, layer: Layer, table: str, ref: PartitionRef) -> None:
    """Undo what a crash left of an earlier write of this partition.

    Staging folders of the partition are deleted; if the partition itself is missing but a folder
    set aside by the non-atomic fallback survives, that old version is put back first.
    """
    recover_staging(_target(home, layer, table, ref))


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
    targets = [_target(home, layer, table, ref) for layer, table in tables]
    try:
        with atomic_dirs(targets) as paths:
            yield {
                table: StagedPartition(table, target.final, path)
                for (_, table), target, path in zip(tables, targets, paths, strict=True)
            }
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
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
