"""The default reward model: learns grades, never scores a night it trained on, is reproducible."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from reward_history import CUTOFF, START

from lakehouse.reward import (
    GradePredictor,
    GradePredictorConfig,
    SeenNightError,
    TrainingLeakageError,
    load_reward_model,
    score_frame,
    train_grade_predictor,
)
from lakehouse.reward.config import METADATA_FILE
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.metrics import spearman


def _normalised_grades(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    graded = frame.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0))
    return graded, (graded["grade"] / graded["max_grade"]).clip(0, 1).to_numpy()


def test_held_out_spearman_is_positive(trained: GradePredictor) -> None:
    meta = trained.metadata
    holdout = meta["metrics"]["holdout"]
    assert holdout["rows"] > 50
    assert holdout["spearman"] > 0.5
    assert 0 <= holdout["mae"] < 0.25
    assert len(meta["metrics"]["per_course"]) >= 2
    assert meta["calibration"] and sum(b["rows"] for b in meta["calibration"]) == holdout["rows"]


def test_the_scored_night_agrees_with_its_human_grades(
    trained: GradePredictor, tonight: pl.DataFrame
) -> None:
    graded, human = _normalised_grades(tonight)
    rho = spearman(trained.score(graded), human)
    assert rho is not None and rho > 0.5


def test_metadata_records_the_training_range(trained: GradePredictor) -> None:
    assert trained.path is not None and trained.path.name == trained.version
    saved = json.loads((trained.path / METADATA_FILE).read_text())
    assert saved["version"] == trained.version and trained.version.startswith("gp-")
    assert saved["cutoff_night"] == CUTOFF.isoformat()
    assert saved["training_nights"]["first"] == START.isoformat()
    assert date.fromisoformat(saved["training_nights"]["last"]) < CUTOFF
    assert saved["holdout_nights"] == [saved["training_nights"]["last"]]
    assert saved["rows"]["graded"] == saved["rows"]["fit_for_metrics"] + saved["rows"]["holdout"]


def test_training_rejects_rows_at_or_after_the_cutoff(
    silver_history: pl.DataFrame, encoder: TextEncoder, tmp_path: Path
) -> None:
    with pytest.raises(TrainingLeakageError, match="at or after the cut-off"):
        train_grade_predictor(
            frame=silver_history, cutoff_night=CUTOFF, output_root=tmp_path, encoder=encoder
        )
    assert not any(tmp_path.iterdir())


def test_a_training_night_is_never_scored(
    trained: GradePredictor, silver_history: pl.DataFrame
) -> None:
    seen = silver_history.filter(pl.col("night") == START)
    with pytest.raises(SeenNightError):
        trained.score(seen)


def test_scores_are_in_range_and_deterministic(
    trained: GradePredictor, tonight: pl.DataFrame, encoder: TextEncoder
) -> None:
    tonight = tonight.head(30)
    first = trained.score(tonight)
    assert first.shape == (tonight.height,)
    assert first.min() >= 0.0 and first.max() <= 1.0
    assert np.array_equal(first, trained.score(tonight))
    assert trained.path is not None
    reloaded = GradePredictor.load(trained.path, encoder=encoder)
    assert reloaded.version == trained.version
    assert np.array_equal(first, reloaded.score(tonight))


def test_loader_picks_the_grade_predictor_and_scores_rows(
    trained: GradePredictor, tonight: pl.DataFrame
) -> None:
    assert trained.path is not None
    model = load_reward_model(path=trained.path, device="cpu")
    assert isinstance(model, GradePredictor)
    rows = score_frame(tonight.head(40), model=model)
    assert rows.columns == [
        "submission_id",
        "institution_id",
        "night",
        "rm_score",
        "rm_model_version",
    ]
    assert rows["rm_model_version"].unique().to_list() == [trained.version]
    assert rows["submission_id"].to_list() == tonight.head(40)["submission_id"].to_list()


def test_same_history_gives_the_same_version(
    silver_history: pl.DataFrame, encoder: TextEncoder, tmp_path: Path
) -> None:
    small = silver_history.filter(pl.col("night") == START).head(80)
    cutoff = CUTOFF
    config = GradePredictorConfig(holdout_nights=0)
    a, b = (
        train_grade_predictor(
            frame=small, cutoff_night=cutoff, output_root=tmp_path, encoder=encoder, config=config
        )
        for _ in range(2)
    )
    assert a.version == b.version
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == [a.version]
    staging = tmp_path / ".staging"  # lakehouse.atomic stages there; nothing is left aside
    assert not staging.exists() or not any(staging.iterdir())


def test_too_few_graded_rows_is_an_error(
    silver_history: pl.DataFrame, encoder: TextEncoder, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="graded rows"):
        train_grade_predictor(
            frame=silver_history.filter(pl.col("night") < CUTOFF).head(10),
            cutoff_night=CUTOFF,
            output_root=tmp_path,
            encoder=encoder,
        )
