"""The bronze stage, ingestion of one partition: every batch file of a night folder becomes typed rows in
`raw_submissions` and quarantine rows in `quarantine`, and the counts reconcile exactly.

Files are read in bounded chunks and each chunk is validated and spilled to Parquet in the staging
folder at once; duplicate submission ids are then decided across the whole night by DuckDB, which
streams (and spills past its memory limit), so a large night never has to fit in memory.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.contract import (
    BRONZE_SCHEMA,
    CONTRACT_FIELDS,
    PROVENANCE_SCHEMA,
    QUARANTINE_SCHEMA,
    QuarantineReason,
)
from lakehouse.erasure import load_erasure_requests
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import StagedPartition, partition_transaction
from lakehouse.markdown import counts_markdown
from lakehouse.readers import (
    DEFAULT_BATCH_ROWS,
    DEFAULT_CHUNK_BYTES,
    SourceFile,
    UnreadableFileError,
    batch_files,
    file_sha256,
    read_batch_file,
    unreadable_file_frame,
)
from lakehouse.redaction import holding_rows
from lakehouse.rights import forgotten_needles
from lakehouse.stages.ledger import counts_frame, counts_table
from lakehouse.tables import QUARANTINE_TABLE, RAW_TABLE
from lakehouse.validate import validate

STAGE: Final = "bronze"
FROM_LANDING: Final = "landing"
FROM_BRONZE: Final = "bronze (landing night purged by retention)"


class LandingFolderMissingError(FileNotFoundError):
    """The partition was asked for but nothing landed for it (and no bronze holds it)."""


@dataclass(frozen=True)
class BronzeResult:
    ref: PartitionRef
    landed: int
    accepted: int
    erased: int
    quarantined_by_reason: dict[str, int]
    files_by_format: dict[str, int]
    ignored_files: int
    bytes_read: int = 0
    unreadable_files: list[str] = field(default_factory=list)
    source: str = FROM_LANDING
    forgotten_removed: int = 0

    @property
    def quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())

    def metadata(self) -> dict[str, object]:
        """What the asset records of the run (counts only, never record content)."""
        return {
            "dagster/row_count": self.accepted,
            "erased": self.erased,
            "landed": self.landed,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "quarantine_rate": round(self.quarantined / self.landed, 4) if self.landed else 0.0,
            "quarantined_by_reason": self.quarantined_by_reason,
            "files_by_format": self.files_by_format,
            "unreadable_files": self.unreadable_files,
            "ignored_files": self.ignored_files,
            "bytes_read": self.bytes_read,
            "source": self.source,
            "forgotten_removed": self.forgotten_removed,
            "quarantine_summary": counts_markdown("quarantine reason", self.quarantined_by_reason),
        }


ProgressFn = Callable[[str], None]


def _format_of(name: str) -> str:
    return "jsonl.gz" if name.endswith(".jsonl.gz") else name.rsplit(".", 1)[-1]


_KEYS: Final = ("submission_id", "source_file", "source_line")
_ERASED_KEYS: Final = ("submission_id", *PROVENANCE_SCHEMA)


def _drop_erased(
    good: pl.DataFrame, bad: pl.DataFrame, erased_ids: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Remove erased students' records and blank the raw content of quarantined records that
    mention an erased id (the quarantine row and its reason stay).

    Returns the erased records' keys only: they still occupy their submission id, so a later
    record reusing it remains a duplicate.
    """
    if not erased_ids:
        return good, bad, good.clear().select(_ERASED_KEYS)
    is_erased = pl.col("student_id").is_in(pl.Series(erased_ids).implode())
    mentions = pl.col("raw_record").str.contains_any(erased_ids).fill_null(False)
    bad = bad.with_columns(
        pl.when(mentions)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("raw_record"))
        .alias("raw_record")
    )
    return good.filter(~is_erased), bad, good.filter(is_erased).select(_ERASED_KEYS)


def _spill_file(
    src: SourceFile,
    scratch: Path,
    index: int,
    *,
    chunk_bytes: int,
    batch_rows: int,
    erased_ids: list[str],
) -> tuple[int, int]:
    """Validate one file chunk by chunk into scratch Parquet; returns (records landed, erased).

    An unreadable file loses every chunk it had produced and is quarantined as one record.
    """
    landed = 0
    erased = 0
    written: list[Path] = []
    try:
        for chunk_no, raw in enumerate(
            read_batch_file(src, chunk_bytes=chunk_bytes, batch_rows=batch_rows)
        ):
            good, bad, erased_keys = _drop_erased(*validate(raw), erased_ids)
            landed += raw.height
            erased += erased_keys.height
            for kind, frame in (("good", good), ("bad", bad), ("erased", erased_keys)):
                if frame.height:
                    target = scratch / f"{kind}-{index:05d}-{chunk_no:05d}.parquet"
                    frame.write_parquet(target)
                    written.append(target)
    except UnreadableFileError as exc:
        for target in written:
            target.unlink()
        _, bad = validate(unreadable_file_frame(src, str(exc)))
        bad.write_parquet(scratch / f"bad-{index:05d}-unreadable.parquet")
        return 1, 0
    return landed, erased


def _quarantine_duplicates(rows: pl.DataFrame) -> pl.DataFrame:
    record = pl.struct([*CONTRACT_FIELDS, "extra"]).struct.json_encode()
    return rows.select(
        *(pl.col(c) for c in PROVENANCE_SCHEMA),
        pl.lit(str(QuarantineReason.DUPLICATE_SUBMISSION_ID)).alias("reason"),
        pl.lit(None, pl.String).alias("detail"),
        record.alias("raw_record"),
    )


def _finalise(scratch: Path, raw_part: StagedPartition, quarantine_part: StagedPartition) -> int:
    """Publish the night's bronze rows, keeping the first occurrence of each submission id in
    file order, and its quarantine (reader/validation rejects plus later duplicates).

    Only the key columns of the whole night are held at once; the rows themselves move one
    spilled chunk at a time (a chunk with no duplicate is renamed into place, not rewritten).
    A duplicate written by an erased student is quarantined as a duplicate (validation comes
    first) with nothing of its content; returns how many such records left the erased count.
    """
    erased_duplicates = 0
    good_files = sorted(scratch.glob("good-*.parquet"))
    erased_files = sorted(scratch.glob("erased-*.parquet"))
    quarantined = [pl.read_parquet(f) for f in sorted(scratch.glob("bad-*.parquet"))]
    if good_files or erased_files:
        keys = (
            pl.scan_parquet(good_files + erased_files)
            .select(_KEYS)
            .sort("source_file", "source_line")
            .collect()
        )
        duplicates = keys.filter(~pl.col("submission_id").is_first_distinct())
        if erased_files and duplicates.height:
            dup_erased = (
                pl.scan_parquet(erased_files)
                .join(duplicates.lazy(), on=list(_KEYS), how="semi")
                .collect()
            )
            erased_duplicates = dup_erased.height
            quarantined.append(
                dup_erased.select(
                    *(pl.col(c) for c in PROVENANCE_SCHEMA),
                    pl.lit(str(QuarantineReason.DUPLICATE_SUBMISSION_ID)).alias("reason"),
                    pl.lit(None, pl.String).alias("detail"),
                    pl.lit(None, pl.String).alias("raw_record"),
                )
            )
        for index, chunk_file in enumerate(good_files):
            target = raw_part.file(f"part-{index:05d}.parquet")
            chunk = pl.read_parquet(chunk_file) if duplicates.height else None
            if chunk is None or chunk.is_empty():
                os.rename(chunk_file, target)
                continue
            lines = duplicates.filter(pl.col("source_file") == chunk["source_file"][0])
            is_duplicate = pl.col("source_line").is_in(lines.get_column("source_line").implode())
            if not chunk.select(is_duplicate.any()).item():
                os.rename(chunk_file, target)
                continue
            quarantined.append(_quarantine_duplicates(chunk.filter(is_duplicate)))
            chunk.filter(~is_duplicate).write_parquet(target, compression="zstd")
    if not good_files:
        raw_part.write(pl.DataFrame(schema=BRONZE_SCHEMA))
    quarantine = (
        pl.concat([q.select(list(QUARANTINE_SCHEMA)) for q in quarantined]).sort(
            "source_file", "source_line"
        )
        if quarantined
        else pl.DataFrame(schema=QUARANTINE_SCHEMA)
    )
    quarantine_part.write(quarantine)
    return erased_duplicates


def _count_by_reason(quarantine_file: Path) -> dict[str, int]:
    counts = pl.scan_parquet(quarantine_file).group_by("reason").len().sort("reason").collect()
    return dict(zip(counts["reason"], counts["len"], strict=True))


def _rederive_from_bronze(
    home: LakehouseHome, ref: PartitionRef, tables: list[tuple[str, str]]
) -> BronzeResult:
    """Rewrite a partition whose landing night retention purged from its own bronze rows, less
    every forgotten student of the institution (`lakehouse.rights.forgotten_needles`, matched as
    the landing redaction matches: id field in any case or padding, or an id or roster name in
    the text; a quarantined record's blanked content can no longer be matched and stays).

    What the landed files were is gone, so "landed" is the bronze rows kept: landed = accepted +
    quarantined, erased 0 (as for a night whose landing copy the rights path redacted), and
    `forgotten_removed` counts the rows taken out. One file at a time, never the whole night.
    """
    needles = forgotten_needles(home, ref.institution_id)
    removed = 0
    with partition_transaction(home, ref, tables) as staged:  # type: ignore[arg-type]
        for table in (RAW_TABLE, QUARANTINE_TABLE):
            for path in sorted(home.partition_dir("bronze", table, ref).glob("*.parquet")):
                frame = pl.read_parquet(path, hive_partitioning=False)
                hold = holding_rows(frame, needles)
                removed += int(hold.sum())
                staged[table].write(frame.filter(~hold), path.name)
        if not staged[QUARANTINE_TABLE].files:
            staged[QUARANTINE_TABLE].write(pl.DataFrame(schema=QUARANTINE_SCHEMA))
        accepted = pl.scan_parquet(staged[RAW_TABLE].files).select(pl.len()).collect().item()
        quarantine = pl.read_parquet(
            staged[QUARANTINE_TABLE].files, columns=["reason", "source_file"]
        )
        by_reason = _count_by_reason(staged[QUARANTINE_TABLE].files[0])
        totals = {
            "landed": accepted + quarantine.height,
            "accepted": accepted,
            "quarantined": quarantine.height,
            "erased": 0,
        }
        staged[counts_table(STAGE)].write(
            counts_frame(ref, stage=STAGE, totals=totals, by_reason={"quarantined": by_reason})
        )
    unreadable = quarantine.filter(pl.col("reason") == str(QuarantineReason.UNREADABLE_FILE))
    return BronzeResult(
        ref=ref,
        landed=totals["landed"],
        accepted=accepted,
        erased=0,
        quarantined_by_reason=by_reason,
        files_by_format={},
        ignored_files=0,
        unreadable_files=unreadable["source_file"].to_list(),
        source=FROM_BRONZE,
        forgotten_removed=removed,
    )


def bronze_partition(
    *,
    home: LakehouseHome,
    ref: PartitionRef,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: ProgressFn | None = None,
) -> BronzeResult:
    """Ingest one landed night of one institution into bronze, replacing that partition atomically.

    Re-running gives identical rows. Nothing is dropped silently: every record landed is a
    `raw_submissions` row, a `quarantine` row, or counted as `erased` (its student asked for
    erasure: nothing of it is kept), and the counts are written with the data. A night that
    retention purged from landing is re-derived from its bronze rows (`_rederive_from_bronze`),
    so an erasure or a withdrawal still reaches it.
    """
    night_dir = home.night_dir(ref)
    tables = [("bronze", RAW_TABLE), ("bronze", QUARANTINE_TABLE), ("gold", counts_table(STAGE))]
    if not night_dir.is_dir() and any(
        home.partition_dir("bronze", RAW_TABLE, ref).glob("*.parquet")
    ):
        return _rederive_from_bronze(home, ref, tables)
    if not night_dir.is_dir():
        raise LandingFolderMissingError(
            f"no landing folder for partition {ref}: expected {night_dir}. "
            "Check the institution id and night, or wait for the export to land."
        )
    files = batch_files(night_dir)
    ignored = sum(1 for p in night_dir.iterdir() if p.is_file()) - len(files)
    erased_ids = (
        load_erasure_requests(home.erasure_dir(ref.institution_id))
        .get_column("student_id")
        .to_list()
    )
    landed = 0
    erased = 0
    bytes_read = 0
    files_by_format: dict[str, int] = {}
    with partition_transaction(home, ref, tables) as staged:  # type: ignore[arg-type]
        scratch = staged[RAW_TABLE].path / "_scratch"
        scratch.mkdir()
        for index, path in enumerate(files):
            src = SourceFile(path, path.name, ref.institution_id, ref.night, file_sha256(path))
            file_landed, file_erased = _spill_file(
                src,
                scratch,
                index,
                chunk_bytes=chunk_bytes,
                batch_rows=batch_rows,
                erased_ids=erased_ids,
            )
            landed += file_landed
            erased += file_erased
            bytes_read += path.stat().st_size
            files_by_format[_format_of(path.name)] = (
                files_by_format.get(_format_of(path.name), 0) + 1
            )
            if progress:
                progress(f"{ref}: read file {index + 1}/{len(files)} ({landed} records so far)")
        erased -= _finalise(scratch, staged[RAW_TABLE], staged[QUARANTINE_TABLE])
        shutil.rmtree(scratch)
        accepted = pl.scan_parquet(staged[RAW_TABLE].files).select(pl.len()).collect().item()
        by_reason = _count_by_reason(staged[QUARANTINE_TABLE].files[0])
        unreadable = (
            pl.read_parquet(staged[QUARANTINE_TABLE].files[0], columns=["reason", "source_file"])
            .filter(pl.col("reason") == str(QuarantineReason.UNREADABLE_FILE))
            .get_column("source_file")
            .to_list()
        )
        staged[counts_table(STAGE)].write(
            counts_frame(
                ref,
                stage=STAGE,
                totals={
                    "landed": landed,
                    "accepted": accepted,
                    "quarantined": landed - accepted - erased,
                    "erased": erased,
                },
                by_reason={"quarantined": by_reason},
            )
        )
    return BronzeResult(
        ref=ref,
        landed=landed,
        accepted=accepted,
        erased=erased,
        quarantined_by_reason=by_reason,
        files_by_format=files_by_format,
        ignored_files=ignored,
        bytes_read=bytes_read,
        unreadable_files=unreadable,
    )
