"""Generated graded history shaped like `scrubbed_submissions`, one shared encoder, one trained model."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from reward_history import CUTOFF, NIGHTS, START

from lakehouse.generate import generate_home
from lakehouse.home import LakehouseHome
from lakehouse.lake import table_glob
from lakehouse.reward import GradePredictor, rows_before, train_grade_predictor
from lakehouse.reward.encoder import TextEncoder
from lakehouse.stages.bronze import bronze_partition


@pytest.fixture(scope="session")
def silver_history(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """Bronze rows of a generated institution with silver's pseudonym column names (the scrubber
    is another issue's work; the reward model reads only texts, grades, course and night)."""
    root = tmp_path_factory.mktemp("reward_home")
    generate_home(
        home=root,
        institutions=1,
        nights=NIGHTS,
        submissions_per_night=120,
        seed=7,
        start_night=START,
        malformed=False,
    )
    home = LakehouseHome(root)
    for ref in home.landed_partitions():
        bronze_partition(home=home, ref=ref)
    bronze = pl.read_parquet(table_glob(home, "bronze", "raw_submissions"), hive_partitioning=False)
    return bronze.rename({"student_id": "student_pseudonym", "grader_id": "grader_pseudonym"}).drop(
        "extra", "source_file", "source_line", "file_sha256"
    )


@pytest.fixture(scope="session")
def encoder() -> TextEncoder:
    return TextEncoder(device="cpu")


@pytest.fixture(scope="session")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reward_models")


@pytest.fixture(scope="session")
def trained(silver_history: pl.DataFrame, encoder: TextEncoder, model_root: Path) -> GradePredictor:
    return train_grade_predictor(
        frame=rows_before(silver_history, cutoff_night=CUTOFF),
        cutoff_night=CUTOFF,
        output_root=model_root,
        encoder=encoder,
    )


@pytest.fixture(scope="session")
def tonight(silver_history: pl.DataFrame) -> pl.DataFrame:
    return silver_history.filter(pl.col("night") == CUTOFF)
