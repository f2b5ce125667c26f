"""How a night's scores agree with its human grades, and the Markdown the Dagster UI shows of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from lakehouse.markdown import Markdown, markdown_table
from lakehouse.reward.metrics import agreement, agreement_by_course, calibration_table

if TYPE_CHECKING:
    from lakehouse.stages.reward import RewardModelResult, RewardStageResult


@dataclass(frozen=True)
class NightAgreement:
    """How tonight's scores agree with tonight's human grades. The model never saw these grades,
    so every scored night is an out-of-sample evaluation."""

    overall: dict[str, Any]
    per_course: dict[str, dict[str, Any]]
    calibration: list[dict[str, Any]]


def night_agreement(
    scrubbed: pl.DataFrame, scores: pl.DataFrame, *, bins: int = 10
) -> NightAgreement:
    graded = (
        scrubbed.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0))
        .select(
            "submission_id",
            pl.col("course_id").cast(pl.String).fill_null(""),
            (pl.col("grade") / pl.col("max_grade")).clip(0.0, 1.0).alias("human"),
        )
        .join(scores.select("submission_id", "rm_score"), on="submission_id", how="inner")
        .sort("submission_id")
    )
    predicted = graded.get_column("rm_score").to_numpy()
    human = graded.get_column("human").to_numpy()
    return NightAgreement(
        overall=agreement(predicted, human),
        per_course=agreement_by_course(
            predicted=predicted, human=human, courses=graded.get_column("course_id").to_numpy()
        ),
        calibration=calibration_table(predicted=predicted, human=human, bins=bins)
        if graded.height
        else [],
    )


def calibration_markdown(rows: list[dict[str, Any]]) -> str:
    """A calibration table (`lakehouse.reward.metrics.calibration_table`) as Markdown with bars of
    the mean human grade per predicted-score bin: the Dagster UI renders it as the plot."""
    frame = pl.DataFrame(
        {
            "bin": [f"{r['low']:.1f}-{r['high']:.1f}" for r in rows],
            "answers": [r["rows"] for r in rows],
            "predicted": [f"{r['mean_predicted']:.2f}" for r in rows],
            "human": [f"{r['mean_human']:.2f}" for r in rows],
            "bar": ["█" * round(r["mean_human"] * 20) for r in rows],
        },
        schema={
            "bin": pl.String,
            "answers": pl.Int64,
            "predicted": pl.String,
            "human": pl.String,
            "bar": pl.String,
        },
    )
    return markdown_table(
        frame,
        headers=["predicted bin", "answers", "mean predicted", "mean human grade", ""],
        empty="No graded answers to calibrate against.",
    )


def per_course_markdown(courses: dict[str, dict[str, Any]]) -> str:
    """Spearman and MAE per course as Markdown ("n/a" where Spearman is undefined)."""
    names = sorted(courses)
    rho = [courses[c].get("spearman") for c in names]
    frame = pl.DataFrame(
        {
            "course": names,
            "answers": [courses[c].get("rows") for c in names],
            "spearman": [f"{r:.3f}" if isinstance(r, float) else "n/a" for r in rho],
            "mae": [f"{float(courses[c].get('mae') or 0):.3f}" for c in names],
        },
        schema={"course": pl.String, "answers": pl.Int64, "spearman": pl.String, "mae": pl.String},
    )
    return markdown_table(
        frame,
        headers=["course", "answers", "Spearman", "MAE"],
        empty="No graded answers: per-course agreement not measured.",
    )


def _maybe(value: object) -> float | str:
    """A metric, or "n/a" where it is undefined (too few rows, constant grades)."""
    return round(float(value), 4) if isinstance(value, int | float) else "n/a"


def model_metadata(result: RewardModelResult, *, models_for_night: Path) -> dict[str, object]:
    """What the `reward_model` asset records: version, scope, texts stored, held-out metrics."""
    choice, embedded = result.choice, result.embedded
    holdout = choice.holdout or {}
    training = choice.metadata.get("training_nights") or {}
    rows = choice.metadata.get("rows") or {}
    return {
        "version": choice.version,
        "scope": choice.scope,
        "training_institutions": ", ".join(choice.institutions),
        "texts_stored": embedded.texts if embedded else 0,
        "texts_encoded": embedded.encoded if embedded else 0,
        "texts_encoded_for_training": result.encoded_for_training,
        "reused": choice.reused,
        "kind": str(choice.metadata.get("kind", "")),
        "training_nights_first": str(training.get("first", "")),
        "training_nights_last": str(training.get("last", "")),
        "training_nights": int(training.get("count", 0)),
        "graded_rows": int(rows.get("graded", 0)),
        "holdout_rows": int(holdout.get("rows") or 0),
        "holdout_spearman": _maybe(holdout.get("spearman")),
        "holdout_spearman_seen_questions": _maybe(choice.split("seen").get("spearman")),
        "holdout_spearman_unseen_questions": _maybe(choice.split("unseen").get("spearman")),
        "holdout_unseen_question_rows": int(choice.split("unseen").get("rows") or 0),
        "holdout_mae": _maybe(holdout.get("mae")),
        "holdout_per_course": Markdown(per_course_markdown(choice.per_course)),
        "holdout_calibration": Markdown(
            calibration_markdown(choice.metadata.get("calibration") or [])
        ),
        "path": choice.path,
        "models_for_night": models_for_night,
    }


def scores_metadata(result: RewardStageResult) -> dict[str, object]:
    """What the `reward_scores` asset records: how the job ran, agreement with tonight's grades."""
    job, tonight = result.job, result.tonight
    scored = job.scores.height
    return {
        "dagster/row_count": scored,
        "model_version": job.model_version,
        "model_scope": result.choice.scope,
        "mode": job.mode,
        "device": job.device,
        "actors": job.actors,
        "seconds": round(job.seconds, 2),
        "answers_per_second": round(scored / job.seconds, 1) if job.seconds else 0.0,
        "rm_score_mean": _maybe(job.scores.get_column("rm_score").mean() if scored else None),
        "graded_answers": int(tonight.overall["rows"]),
        "spearman_vs_human": _maybe(tonight.overall["spearman"]),
        "mae_vs_human": _maybe(tonight.overall["mae"]),
        "per_course": Markdown(per_course_markdown(tonight.per_course)),
        "calibration": Markdown(calibration_markdown(tonight.calibration)),
        "path": result.path,
    }
