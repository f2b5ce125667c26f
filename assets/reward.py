"""Gold: `reward_model` (versioned, trained on nights before the one it scores) and
`reward_scores` (the Ray scoring job over every scrubbed answer), behind the reward gate."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.gates import run_gate
from assets.silver import scrubbed_submissions
from expectations.dagster_checks import gate_check_specs
from expectations.suites.reward import COVERAGE, reward_coverage, reward_suite
from expectations.thresholds import load_thresholds
from lakehouse.home import PartitionRef
from lakehouse.lake import read_partition
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward_stage import (
    EMBEDDINGS_TABLE,
    REWARD_TABLE,
    RewardModelChoice,
    calibration_markdown,
    choose_reward_model,
    embed_partition,
    model_root,
    night_agreement,
    per_course_markdown,
    write_reward_scores,
)
from orchestration.partitions import lakehouse_partitions, ref_from_context
from orchestration.resources import LakehouseResource


def _choose(
    lakehouse: LakehouseResource, ref: PartitionRef, *, encoder: TextEncoder | None = None
) -> RewardModelChoice:
    """The night's model: chosen (trained) by `reward_model`, reused by `reward_scores`."""
    configured = Path(lakehouse.reward_model_path) if lakehouse.reward_model_path else None
    return choose_reward_model(
        home=lakehouse.lake_home(),
        ref=ref,
        history_nights=lakehouse.reward_history_nights,
        max_training_rows=lakehouse.reward_max_training_rows,
        configured_path=configured,
        encoder=encoder,
    )


def _split(choice: RewardModelChoice, questions: str) -> dict[str, Any]:
    """Held-out agreement on answers to questions graded in training (`seen`) or not (`unseen`)."""
    metrics = choice.metadata.get("metrics") or {}
    return metrics.get(f"holdout_{questions}_questions") or {}


def _maybe(value: object) -> float | str:
    """A metric, or "n/a" where it is undefined (too few rows, constant grades)."""
    return round(float(value), 4) if isinstance(value, int | float) else "n/a"


@asset(
    partitions_def=lakehouse_partitions,
    group_name="gold",
    deps=[scrubbed_submissions],
    kinds={"torch", "scikit-learn"},
    description=(
        "The reward model that scores this night: a grade predictor (MiniLM embeddings of "
        "question, answer and reference + a ridge head) trained on the institution's graded "
        "answers of the nights before this one (pooled over the institutions that opted in when "
        "one that opted in has too few; a reference-similarity cold start otherwise), or the model folder the "
        "deployment configures (`reward_model_path`, e.g. a Hugging Face reward model). Never "
        "trained on the night it scores; chosen once per night and reused by re-runs. Also stores "
        "the MiniLM vectors of the night's distinct texts (`lake/silver/text_embeddings`), so "
        "training and scoring encode each text once."
    ),
)
def reward_model(context: AssetExecutionContext, lakehouse: LakehouseResource) -> MaterializeResult:
    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    embedded = None
    encoder = None
    if not lakehouse.reward_model_path:
        encoder = TextEncoder(device=lakehouse.reward_device)
        embedded = embed_partition(
            home=home, ref=ref, encoder=encoder, history_nights=lakehouse.reward_history_nights
        )
    choice = _choose(lakehouse, ref, encoder=encoder)
    holdout = choice.holdout or {}
    training = choice.metadata.get("training_nights") or {}
    rows = choice.metadata.get("rows") or {}
    context.log.info(f"{ref}: reward model {choice.version} ({choice.scope})")
    return MaterializeResult(
        metadata={
            "version": choice.version,
            "scope": choice.scope,
            "training_institutions": ", ".join(choice.institutions),
            "texts_stored": embedded.texts if embedded else 0,
            "texts_encoded": embedded.encoded if embedded else 0,
            "texts_encoded_for_training": encoder.texts_encoded - embedded.encoded
            if encoder and embedded
            else 0,
            "reused": choice.reused,
            "kind": str(choice.metadata.get("kind", "")),
            "training_nights_first": str(training.get("first", "")),
            "training_nights_last": str(training.get("last", "")),
            "training_nights": int(training.get("count", 0)),
            "graded_rows": int(rows.get("graded", 0)),
            "holdout_rows": int(holdout.get("rows") or 0),
            "holdout_spearman": _maybe(holdout.get("spearman")),
            "holdout_spearman_seen_questions": _maybe(_split(choice, "seen").get("spearman")),
            "holdout_spearman_unseen_questions": _maybe(_split(choice, "unseen").get("spearman")),
            "holdout_unseen_question_rows": int(_split(choice, "unseen").get("rows") or 0),
            "holdout_mae": _maybe(holdout.get("mae")),
            "holdout_per_course": MetadataValue.md(per_course_markdown(choice.per_course)),
            "holdout_calibration": MetadataValue.md(
                calibration_markdown(choice.metadata.get("calibration") or [])
            ),
            "path": MetadataValue.path(str(choice.path)),
            "models_for_night": MetadataValue.path(str(model_root(home, ref))),
        }
    )


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
    from ray_jobs.score import ScoreJobConfig, score_partitions

    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    choice = _choose(lakehouse, ref)
    source = home.partition_dir("silver", "scrubbed_submissions", ref)
    stored = home.partition_dir("silver", EMBEDDINGS_TABLE, ref)
    job = score_partitions(
        inputs=[source],
        embeddings=[stored] if any(stored.glob("*.parquet")) else [],
        model_path=choice.path,
        config=ScoreJobConfig(
            local_threshold_rows=lakehouse.ray_score_min_rows,
            device=lakehouse.reward_device,
            num_cpus=lakehouse.ray_num_cpus,
        ),
    )
    path = write_reward_scores(home, ref, job.scores)
    scored = job.scores.height
    scrubbed = read_partition(home, "silver", "scrubbed_submissions", ref)
    tonight = night_agreement(scrubbed, job.scores)
    context.log.info(
        f"{ref}: scored {scored} answers with {job.model_version} ({job.mode}, {job.device}) "
        f"in {job.seconds:.1f}s"
    )
    yield MaterializeResult(
        metadata={
            "dagster/row_count": scored,
            "model_version": job.model_version,
            "model_scope": choice.scope,
            "mode": job.mode,
            "device": job.device,
            "actors": job.actors,
            "seconds": round(job.seconds, 2),
            "answers_per_second": round(scored / job.seconds, 1) if job.seconds else 0.0,
            "rm_score_mean": _maybe(job.scores.get_column("rm_score").mean() if scored else None),
            "graded_answers": int(tonight.overall["rows"]),
            "spearman_vs_human": _maybe(tonight.overall["spearman"]),
            "mae_vs_human": _maybe(tonight.overall["mae"]),
            "per_course": MetadataValue.md(per_course_markdown(tonight.per_course)),
            "calibration": MetadataValue.md(calibration_markdown(tonight.calibration)),
            "path": MetadataValue.path(str(path)),
        }
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=reward_suite(thresholds=thresholds.reward),
        frame=job.scores,
        metrics={COVERAGE: reward_coverage(scored=scored, scrubbed=scrubbed.height)},
    )
