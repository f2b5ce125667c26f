"""Silver: `curated_documents`, Yi's filter chain, behind the curated gate."""

from collections.abc import Iterator

import polars as pl
from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.gates import run_gate
from assets.silver import scrubbed_submissions
from expectations.dagster_checks import gate_check_specs
from expectations.suites import curated_suite
from expectations.thresholds import load_thresholds
from lakehouse.curate_stage import CURATED_TABLE, curate_partition, trained_models
from lakehouse.pseudonym import load_key
from orchestration.partitions import lakehouse_partitions, ref_from_context
from orchestration.resources import LakehouseResource


def _funnel_markdown(funnel: pl.DataFrame) -> str:
    rows = "\n".join(
        f"| {r['step']} | {r['docs_in']} | {r['dropped']} | {r['docs_out']} | {r['tokens_out']} |"
        for r in funnel.iter_rows(named=True)
    )
    return "| step | docs in | dropped | docs out | tokens out |\n|---|---|---|---|---|\n" + rows


@asset(
    partitions_def=lakehouse_partitions,
    group_name="silver",
    deps=[scrubbed_submissions],
    kinds={"parquet", "polars"},
    check_specs=gate_check_specs(asset_key=CURATED_TABLE, gates=["curated"]),
    description=(
        "Every scrubbed answer with the attributes of Yi's chain (language, heuristics, "
        "repetition, correction, perplexity, quality, paragraph/MinHash/exact dedup across "
        "institutions and nights, safety, topic), `kept` and the first failing step as "
        "`drop_reason`. Also writes the funnel (gold/filter_funnel) and copy clusters between "
        "students (gold/copy_clusters)."
    ),
)
def curated_documents(
    context: AssetExecutionContext, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    result, documents = curate_partition(
        home=home, ref=ref, key=load_key(), history_nights=lakehouse.filter_history_nights
    )
    yield MaterializeResult(
        metadata={
            "dagster/row_count": result.documents,
            "kept": result.kept,
            "kept_fraction": round(result.kept / result.documents, 4) if result.documents else 0.0,
            "tokens_kept": result.tokens_kept,
            "dropped_by_step": MetadataValue.json(result.dropped_by_step),
            "funnel": MetadataValue.md(_funnel_markdown(result.funnel)),
            "languages": MetadataValue.json({str(k): v for k, v in result.languages.items()}),
            "copy_clusters": result.copy_clusters,
            "filter_models": MetadataValue.json(
                {
                    "folder": str(result.model_dir) if result.model_dir else None,
                    "trained": trained_models(result.model_dir),
                    "note": "perplexity and quality pass documents unjudged without a model "
                    "(no earlier night, or too few graded answers per language)",
                }
            ),
            "path": MetadataValue.path(str(home.partition_dir("silver", CURATED_TABLE, ref))),
        }
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home, ref=ref, suite=curated_suite(thresholds=thresholds.curated), frame=documents
    )
