"""Gold: the training-data exports (pretrain, sft, preference, reward, critique), one release over
every partition that passed all its gates, each dataset behind its own exports gate."""

import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from pydantic import Field

from assets.curated import curated_documents
from assets.reward import reward_scores
from assets.silver import scrubbed_submissions
from expectations.dagster_checks import gate_check_result
from expectations.gate_result import GateResult
from expectations.suites.exports import gate_name, validate_export
from expectations.thresholds import GateThresholds
from lakehouse.exports import (
    CONTRIBUTIONS_TABLE,
    DATASETS,
    Dataset,
    ExportConfig,
    build_release,
    summary_table,
)
from lakehouse.exports.scope import release_scope
from orchestration.resources import LakehouseResource

EXPORT_ASSETS = {d: f"{d}_export" for d in DATASETS}
CONTRIBUTIONS_ASSET = "export_contributions"
EXPORT_QUALITY_TABLE = "export_quality"


class ExportsRunConfig(Config):
    """How the datasets are cut (defaults: `lakehouse.exports.ExportConfig`)."""

    pretrain_include_question: bool = Field(
        default=True, description="Prefix each pretraining document with its question."
    )
    sft_min_grade_fraction: float = Field(
        default=0.8, ge=0.0, le=1.0, description="SFT keeps answers graded at least this."
    )
    preference_min_margin: float = Field(
        default=0.2, gt=0.0, le=1.0, description="Least normalised grade gap of a pair."
    )
    preference_max_pairs_per_answer: int = Field(
        default=2, ge=1, description="No answer is used in more preference pairs than this."
    )
    sft_min_response_chars: int = Field(
        default=25, ge=0, description="SFT responses have at least this many characters."
    )
    sft_min_response_words: int = Field(
        default=3, ge=0, description="SFT responses have at least this many words."
    )
    preference_min_answers_per_question: int = Field(
        default=4, ge=2, description="A question needs this many graded real attempts to pair."
    )
    preference_max_non_answer_share: float = Field(
        default=0.0,
        ge=0.0,
        le=0.5,
        description="Share of pairs that may hold a non-answer ('No response.'); 0 excludes them.",
    )
    preference_prefer_same_grader: bool = Field(
        default=True, description="Pair answers graded by the same grader first."
    )
    critique_min_feedback_words: int = Field(
        default=3, ge=0, description="Critique feedback has at least this many words."
    )
    shard_max_rows: int = Field(default=50_000, ge=1, description="Rows per Parquet shard.")

    def export_config(self) -> ExportConfig:
        return ExportConfig(
            pretrain_include_question=self.pretrain_include_question,
            sft_min_grade_fraction=self.sft_min_grade_fraction,
            preference_min_margin=self.preference_min_margin,
            preference_max_pairs_per_answer=self.preference_max_pairs_per_answer,
            sft_min_response_chars=self.sft_min_response_chars,
            sft_min_response_words=self.sft_min_response_words,
            preference_min_answers_per_question=self.preference_min_answers_per_question,
            preference_max_non_answer_share=self.preference_max_non_answer_share,
            preference_prefer_same_grader=self.preference_prefer_same_grader,
            critique_min_feedback_words=self.critique_min_feedback_words,
            shard_max_rows=self.shard_max_rows,
        )


def _write_quality(root: Path, result: GateResult, *, dataset: str, release_id: str) -> None:
    """The gate's outcome per expectation, beside the per-partition results (atomic replace)."""
    frame = pl.DataFrame(
        {
            "dataset": [dataset] * len(result.expectations),
            "release_id": [release_id] * len(result.expectations),
            "expectation": [o.name for o in result.expectations],
            "success": [o.success for o in result.expectations],
            "observed_value": [o.observed_value for o in result.expectations],
            "evaluated_at": [result.evaluated_at] * len(result.expectations),
        },
        schema_overrides={"observed_value": pl.String, "evaluated_at": pl.Datetime("us", "UTC")},
    )
    folder = root / f"dataset={dataset}"
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / ".part-00000.parquet.tmp"
    frame.write_parquet(staging)
    os.replace(staging, folder / "part-00000.parquet")


@multi_asset(
    specs=[
        AssetSpec(
            name,
            group_name="exports",
            deps=[scrubbed_submissions, curated_documents, reward_scores],
            kinds={"parquet"},
            skippable=True,
            description=(
                f"The `{dataset}` training dataset (CONTRACT.md): a release over every partition "
                "that passed all its gates, Parquet shards and a DATASET_CARD.md under "
                f"exports/{dataset}/release=<id>/, exports/{dataset}/LATEST naming the newest."
            ),
        )
        for dataset, name in EXPORT_ASSETS.items()
    ]
    + [
        AssetSpec(
            CONTRIBUTIONS_ASSET,
            group_name="exports",
            deps=[scrubbed_submissions],
            kinds={"parquet"},
            skippable=True,
            description=(
                "Per pseudonymous student, the answers and tokens that reached each dataset's "
                "latest release (lake/gold/export_contributions/dataset=<d>/), so institutions "
                "can compensate students; it feeds the warehouse's mart_contributor_ledger."
            ),
        )
    ],
    check_specs=[
        AssetCheckSpec(
            gate_name(dataset),
            asset=name,
            description=(
                "Exact schema, no empty prompt/response, preference pairs ordered, at most a "
                "bounded share of trivial rows (non-answers). Evaluated "
                "before anything is written: a failing dataset is not published (its LATEST "
                "stays), while the other datasets and the warehouse still are."
            ),
        )
        for dataset, name in EXPORT_ASSETS.items()
    ],
)
def training_exports(
    context: AssetExecutionContext, config: ExportsRunConfig, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    home = lakehouse.lake_home()
    scope = release_scope(home)
    for ref, why in scope.excluded.items():
        context.log.warning(f"{ref} left out of the release: {why}")
    if not scope.included:
        context.log.warning(
            "no partition has passed every gate yet: no release is built (the warehouse still is)"
        )
        yield MaterializeResult(
            asset_key=CONTRIBUTIONS_ASSET, metadata={"release_id": "none", "partitions": 0}
        )
        yield from _not_built(set(DATASETS), why="no partition has passed every gate yet")
        return
    thresholds = GateThresholds().exports
    verdicts: dict[Dataset, GateResult] = {}

    def gate(dataset: Dataset, frame: pl.DataFrame) -> bool:
        result = validate_export(dataset=dataset, frame=frame, thresholds=thresholds)
        verdicts[dataset] = result
        return result.passed

    release = build_release(home, scope.included, config.export_config(), gate=gate)
    quality_root = home.table_dir("gold", EXPORT_QUALITY_TABLE)
    for dataset, result in verdicts.items():
        _write_quality(quality_root, result, dataset=dataset, release_id=release.release_id)
    summary = summary_table(release)
    for dataset, item in release.datasets.items():
        yield MaterializeResult(
            asset_key=EXPORT_ASSETS[dataset],
            metadata={
                "release_id": item.release_id,
                "dagster/row_count": item.rows,
                "tokens": item.tokens,
                "shards": item.shards,
                "contributors": item.contributors,
                "partitions": len(release.refs),
                "partitions_left_out": len(scope.excluded),
                "erased_students_excluded": release.erased_students,
                "reward_model_versions": MetadataValue.json(release.rm_versions),
                "funnel": MetadataValue.md(_markdown(item.funnel)),
                "card": MetadataValue.path(str(item.card)),
                "path": MetadataValue.path(str(item.path)),
            },
        )
    yield MaterializeResult(
        asset_key=CONTRIBUTIONS_ASSET,
        metadata={
            "release_id": release.release_id,
            "partitions": len(release.refs),
            "contributors_by_dataset": MetadataValue.json(
                {d: item.contributors for d, item in release.datasets.items()}
            ),
            "path": MetadataValue.path(str(home.table_dir("gold", CONTRIBUTIONS_TABLE))),
        },
    )
    for dataset, result in verdicts.items():
        yield gate_check_result(result=result, asset_key=EXPORT_ASSETS[dataset])
    yield from _not_built(set(DATASETS) - set(verdicts), why="not configured for this release")
    context.log.info(f"export release {release.release_id}\n{_markdown(summary)}")


def _not_built(datasets: set[Dataset], *, why: str) -> Iterator[AssetCheckResult]:
    """Every check of a multi-asset must report: a dataset with no build has nothing to check."""
    for dataset in sorted(datasets):
        yield AssetCheckResult(
            asset_key=EXPORT_ASSETS[dataset],
            check_name=gate_name(dataset),
            passed=True,
            description=f"not evaluated: no {dataset} release was built ({why})",
            metadata={"evaluated": False},
        )


def _markdown(frame: pl.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * frame.width
    rows = "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in frame.iter_rows())
    return head + "\n" + rows
