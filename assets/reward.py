"""Gold: `reward_model` (versioned, trained on nights before the one it scores) and
`reward_scores` (the Ray scoring job over every scrubbed answer), behind the reward gate."""

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, asset

from assets.gates import materialized, run_gate
from assets.partitions import lakehouse_partitions, ref_from_context
from assets.resources import LakehouseResource
from assets.silver import scrubbed_submissions
from expectations.dagster_checks import gate_check_specs
from expectations.suites.reward import COVERAGE, reward_coverage, reward_suite
from expectations.thresholds import load_thresholds
from lakehouse.reward.report import model_metadata, scores_metadata
from lakehouse.stages.reward import (
    RewardSettings,
    model_root,
    reward_model_partition,
    reward_partition,
)
from lakehouse.tables import REWARD_TABLE


def _settings(lakehouse: LakehouseResource) -> RewardSettings:
    configured = lakehouse.reward_model_path
    return RewardSettings(
        history_nights=lakehouse.reward_history_nights,
        max_training_rows=lakehouse.reward_max_training_rows,
        configured_path=Path(configured) if configured else None,
        device=lakehouse.reward_device,
    )


@asset(
    partitions_def=lakehouse_partitions,
    group_name="gold",
    deps=[scrubbed_submissions],
    kinds={"torch", "scikit-learn"},
    description=(
        "The reward model that scores this night: a grade predictor (MiniLM embeddings of "
        "question, answer and reference; a ridge head for questions graded before, ridge + "
        "boosted trees for new ones) trained on the institution's graded answers of the nights "
        "before this one (pooled over the institutions that opted in when one that opted in has "
        "too few; a reference-similarity cold start otherwise), or the model folder the "
        "deployment configures (`reward_model_path`, e.g. a Hugging Face reward model). Never "
        "trained on the night it scores; chosen once per night and reused by re-runs. Also stores "
        "the MiniLM vectors of the night's distinct texts (`lake/silver/text_embeddings`), so "
        "training and scoring encode each text once."
    ),
)
def reward_model(context: AssetExecutionContext, lakehouse: LakehouseResource) -> MaterializeResult:
    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    result = reward_model_partition(home=home, ref=ref, settings=_settings(lakehouse))
    context.log.info(f"{ref}: reward model {result.choice.version} ({result.choice.scope})")
    return materialized(model_metadata(result, models_for_night=model_root(home, ref)))


@asset(
    partitions_def=lakehouse_partitions,
    group_name="gold",
    deps=[scrubbed_submissions, reward_model],
    kinds={"ray", "parquet"},
    check_specs=gate_check_specs(asset_key=REWARD_TABLE, gates=["reward"]),
    description=(
        "rm_score in [0, 1] for every scrubbed answer of the night (kept by the pretraining chain "
        "or not) with the model version per row, computed by the Ray scoring job "
        "(`ray_jobs.score`: local Ray by default, `RAY_ADDRESS` for a cluster, one GPU per actor "
        "when it has GPUs). Small nights are scored in process, skipping Ray's fixed cost."
    ),
)
def reward_scores(
    context: AssetExecutionContext, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    import ray_jobs.score

    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    config = ray_jobs.score.ScoreJobConfig(
        local_threshold_rows=lakehouse.ray_score_min_rows,
        device=lakehouse.reward_device,
        num_cpus=lakehouse.ray_num_cpus,
    )
    scorer = partial(ray_jobs.score.score_partitions, config=config)
    result = reward_partition(home=home, ref=ref, settings=_settings(lakehouse), scorer=scorer)
    job = result.job
    context.log.info(
        f"{ref}: scored {job.scores.height} answers with {job.model_version} ({job.mode}, "
        f"{job.device}) in {job.seconds:.1f}s"
    )
    yield materialized(scores_metadata(result))
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=reward_suite(thresholds=thresholds.reward),
        frame=job.scores,
        metrics={
            COVERAGE: reward_coverage(scored=job.scores.height, scrubbed=result.scrubbed_rows)
        },
    )
