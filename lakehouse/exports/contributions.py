"""Who contributed what to an export: the contributor ledger and the per-release manifests.

- `lake/gold/export_contributions/dataset=<dataset>/part-00000.parquet`: the answers behind the
  dataset's LATEST release (what `mart_contributor_ledger` reads), replaced atomically (one
  `os.replace` of the file) when a new release is published.
- `lake/gold/export_releases/dataset=<dataset>/release=<id>/part-00000.parquet`: the same rows for
  every release still on disk, plus `lineage.json` (the release it followed and what that meant
  for erasure). They let a later build find the releases that hold a newly erased student, and
  make a rebuilt release's card say exactly what its first build said.

Student pseudonyms live here, in the lake, and never in the export files.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.atomic import atomic_file, write_text_atomic
from lakehouse.exports.config import Dataset
from lakehouse.exports.datasets import BuiltDataset
from lakehouse.exports.shards import write_parquet
from lakehouse.home import LakehouseHome

CONTRIBUTIONS_TABLE: Final = "export_contributions"
RELEASES_TABLE: Final = "export_releases"
LINEAGE_NAME: Final = "lineage.json"
CONTRIBUTIONS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "dataset": pl.String(),
    "release_id": pl.String(),
    "institution_id": pl.String(),
    "night": pl.Date(),
    "submission_id": pl.String(),
    "student_pseudonym": pl.String(),
    "role": pl.String(),
    "tokens": pl.Int64(),
}
"""One row per answer appearance in an export row. `role`: `document` (pretrain), `response`
(sft, reward, critique), `chosen` or `rejected` (preference; an answer in two pairs has two
rows). `tokens`: words of the student's own answer text as exported (the chain's word count)."""


def contributions_frame(built: BuiltDataset, release_id: str) -> pl.DataFrame:
    """The ledger rows of one built dataset, sorted."""
    return (
        built.sources.with_columns(
            pl.lit(built.dataset, dtype=pl.String).alias("dataset"),
            pl.lit(release_id, dtype=pl.String).alias("release_id"),
        )
        .select(pl.col(c).cast(t) for c, t in CONTRIBUTIONS_SCHEMA.items())
        .sort(["institution_id", "night", "submission_id", "role"], maintain_order=True)
    )


def contributions_path(home: LakehouseHome, dataset: Dataset) -> Path:
    return home.table_dir("gold", CONTRIBUTIONS_TABLE) / f"dataset={dataset}" / "part-00000.parquet"


def manifest_dir(home: LakehouseHome, dataset: Dataset, release_id: str) -> Path:
    return home.table_dir("gold", RELEASES_TABLE) / f"dataset={dataset}" / f"release={release_id}"


def replace_file(frame: pl.DataFrame, target: Path) -> Path:
    """Write `frame` beside `target` under a hidden name, then `os.replace` it into place."""
    with atomic_file(target) as tmp:
        write_parquet(frame, tmp)
    return target


def write_contributions(home: LakehouseHome, dataset: Dataset, frame: pl.DataFrame) -> Path:
    """Replace the dataset's contributor ledger by `frame` (the LATEST release's rows)."""
    return replace_file(frame, contributions_path(home, dataset))


@dataclass(frozen=True)
class Lineage:
    """What a release's first build found about the release before it."""

    release_id: str
    previous_release: str | None
    erased_since_previous: int
    withdrawn_releases: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "release_id": self.release_id,
                "previous_release": self.previous_release,
                "erased_since_previous": self.erased_since_previous,
                "withdrawn_releases": list(self.withdrawn_releases),
            },
            sort_keys=True,
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Lineage:
        data = json.loads(text)
        return cls(
            release_id=str(data["release_id"]),
            previous_release=data.get("previous_release"),
            erased_since_previous=int(data.get("erased_since_previous", 0)),
            withdrawn_releases=tuple(data.get("withdrawn_releases", ())),
        )


def read_lineage(home: LakehouseHome, dataset: Dataset, release_id: str) -> Lineage | None:
    path = manifest_dir(home, dataset, release_id) / LINEAGE_NAME
    return Lineage.from_json(path.read_text()) if path.is_file() else None


def read_manifest(home: LakehouseHome, dataset: Dataset, release_id: str) -> pl.DataFrame | None:
    """The contributor rows of a release still on disk, or None where it has no manifest."""
    files = sorted(manifest_dir(home, dataset, release_id).glob("*.parquet"))
    return pl.read_parquet(files) if files else None


def write_manifest(
    home: LakehouseHome, dataset: Dataset, release_id: str, frame: pl.DataFrame, lineage: Lineage
) -> None:
    folder = manifest_dir(home, dataset, release_id)
    replace_file(frame, folder / "part-00000.parquet")
    write_text_atomic(folder / LINEAGE_NAME, lineage.to_json())


def drop_manifest(home: LakehouseHome, dataset: Dataset, release_id: str) -> None:
    shutil.rmtree(manifest_dir(home, dataset, release_id), ignore_errors=True)


def erased_students_in(manifest: pl.DataFrame | None, erased: pl.DataFrame) -> int:
    """Distinct erased or withdrawn (institution, pseudonym) pairs that have rows in `manifest`
    (a withdrawal counts the nights up to it only, see `inputs.ERASED_SCHEMA`)."""
    if manifest is None or manifest.is_empty() or erased.is_empty():
        return 0
    keys = ["institution_id", "student_pseudonym"]
    last = erased.select(
        *keys,
        pl.col("last_night")
        if "last_night" in erased.columns
        else pl.lit(None, pl.Date()).alias("last_night"),
    ).unique(keys)
    return (
        manifest.select(*keys, "night")
        .join(last, on=keys)
        .filter(pl.col("last_night").is_null() | (pl.col("night") <= pl.col("last_night")))
        .select(keys)
        .unique()
        .height
    )
