"""The reward assets in Dagster: `reward_model` records its version and metrics, `reward_scores`
launches the Ray scoring job, writes the lake partition and passes the reward gate."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from dagster import AssetKey, DagsterInstance, materialize

from assets.partitions import partition_key, register_partitions
from assets.resources import LakehouseResource
from assets.reward import reward_model, reward_scores
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition


@pytest.mark.slow
def test_reward_assets_run_the_ray_job_and_record_metadata(
    pipeline_home: LakehouseHome, tmp_path: Path
) -> None:
    root = tmp_path / "home"
    shutil.copytree(pipeline_home.root, root, ignore=shutil.ignore_patterns("models", "index"))
    home = LakehouseHome(root)
    ref = max(home.landed_partitions(), key=lambda r: r.night)
    instance = DagsterInstance.ephemeral()
    register_partitions(instance, [ref])
    result = materialize(
        [reward_model, reward_scores],
        partition_key=partition_key(ref),
        instance=instance,
        resources={
            "lakehouse": LakehouseResource(home=str(root), ray_score_min_rows=0, ray_num_cpus=1)
        },
    )
    assert result.success
    model_meta = result.asset_materializations_for_node("reward_model")[0].metadata
    assert model_meta["scope"].value == "institution"
    version = model_meta["version"].value
    assert str(version).startswith("gp-")
    assert model_meta["training_nights_last"].value < ref.night.isoformat()
    # tonight's texts are stored (the earlier night has no store here: training encoded it)
    stored = read_partition(home, "silver", "text_embeddings", ref)
    assert model_meta["texts_stored"].value == stored.height > 0
    assert model_meta["texts_encoded"].value == stored.height
    assert model_meta["holdout_unseen_question_rows"].value >= 0
    scores_meta = result.asset_materializations_for_node("reward_scores")[0].metadata
    assert scores_meta["mode"].value == "ray"
    assert scores_meta["model_version"].value == version
    assert scores_meta["graded_answers"].value > 0
    assert isinstance(scores_meta["spearman_vs_human"].value, float)
    assert str(scores_meta["calibration"].value).startswith("| predicted bin |")
    checks = result.get_asset_check_evaluations()
    assert [(c.asset_key, c.check_name, c.passed) for c in checks] == [
        (AssetKey("reward_scores"), "reward", True)
    ]
    scrubbed = read_partition(home, "silver", "scrubbed_submissions", ref)
    scores = read_partition(home, "gold", "reward_scores", ref)
    assert scores.height == scrubbed.height
    assert set(scores["submission_id"]) == set(scrubbed["submission_id"])
    assert scores["rm_score"].is_between(0.0, 1.0).all()
    assert (scores["rm_model_version"] == version).all()
    assert scores.schema["night"] == pl.Date
