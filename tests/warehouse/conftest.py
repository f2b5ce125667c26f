"""Fixtures for the warehouse tests: a copy of an already-run home to build against.

The home is `$LAKEHOUSE_TEST_DEMO_HOME` when set (e.g. the sample home `make demo` builds), else
the suite's generated `pipeline_home` (2 institutions x 2 nights, every stage run). It is copied,
so builds never touch the original.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition


def _copy_home(source: LakehouseHome, dest: Path) -> LakehouseHome:
    shutil.copytree(source.root / "lake", dest / "lake", symlinks=True)
    return LakehouseHome(dest)


@pytest.fixture(scope="session")
def source_home(request: pytest.FixtureRequest) -> LakehouseHome:
    given = os.environ.get("LAKEHOUSE_TEST_DEMO_HOME")
    if given:
        return LakehouseHome(Path(given))
    home: LakehouseHome = request.getfixturevalue("pipeline_home")
    return home


@pytest.fixture
def home_copy(source_home: LakehouseHome, tmp_path: Path) -> LakehouseHome:
    """A private copy of the lake of an already-run home (the warehouse only reads `lake/`)."""
    return _copy_home(source_home, tmp_path / "home")


@pytest.fixture(scope="module")
def module_home_copy(
    source_home: LakehouseHome, tmp_path_factory: pytest.TempPathFactory
) -> LakehouseHome:
    return _copy_home(source_home, tmp_path_factory.mktemp("warehouse_home"))


def scrubbed(home: LakehouseHome) -> pl.DataFrame:
    files = sorted(
        home.table_dir("silver", "scrubbed_submissions").glob("institution=*/night=*/*.parquet")
    )
    return pl.read_parquet(files, hive_partitioning=False)


def _add_reward_scores(home: LakehouseHome) -> int:
    """Write a `reward_scores` partition for every scrubbed partition (as the reward stage will)."""
    frame = scrubbed(home)
    for (inst, night), part in frame.group_by("institution_id", "night"):
        scores = part.select(
            "submission_id",
            "institution_id",
            "night",
            ((pl.col("submission_id").hash(7) % 1000) / 999).alias("rm_score"),
            pl.lit("test-rm-1").alias("rm_model_version"),
        )
        write_partition(home, "gold", "reward_scores", PartitionRef(str(inst), night), scores)
    return frame.height


def _add_export_contributions(home: LakehouseHome) -> pl.DataFrame:
    """Write `export_contributions` for two datasets (as the exports stage will)."""
    frame = scrubbed(home).head(40)
    rows = pl.concat(
        [
            frame.select(
                pl.lit(dataset).alias("dataset"),
                pl.lit(release).alias("release_id"),
                "institution_id",
                "night",
                "submission_id",
                "student_pseudonym",
                pl.lit(role).alias("role"),
                pl.col("answer_text").str.split(" ").list.len().cast(pl.Int64).alias("tokens"),
            )
            for dataset, release, role in [
                ("pretrain", "r1", "text"),
                ("pretrain", "r2", "text"),  # re-release: must not double count
                ("sft", "r1", "response"),
            ]
        ]
    )
    for dataset, part in rows.group_by("dataset"):
        folder = home.lake / "gold" / "export_contributions" / f"dataset={dataset[0]}"
        folder.mkdir(parents=True, exist_ok=True)
        part.write_parquet(folder / "part-00000.parquet")
    return rows


@pytest.fixture
def add_reward_scores() -> Callable[[LakehouseHome], int]:
    return _add_reward_scores


@pytest.fixture
def add_export_contributions() -> Callable[[LakehouseHome], pl.DataFrame]:
    return _add_export_contributions
