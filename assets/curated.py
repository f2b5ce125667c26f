"""Silver: `curated_documents`, Yi's filter chain, behind the curated gate."""

from collections.abc import Iterator

from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, asset

from assets.gates import materialized, run_gate
from assets.partitions import lakehouse_partitions, ref_from_context
from assets.resources import LakehouseResource
from assets.silver import scrubbed_submissions
from expectations.dagster_checks import gate_check_specs
from expectations.suites import curated_suite
from expectations.thresholds import load_thresholds
from lakehouse.pseudonym import load_key
from lakehouse.stages.curated import curated_partition
from lakehouse.tables import CURATED_TABLE


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
    result, documents = curated_partition(
        home=home, ref=ref, key=load_key(), history_nights=lakehouse.filter_history_nights
    )
    yield materialized(
        {**result.metadata(), "path": home.partition_dir("silver", CURATED_TABLE, ref)}
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home, ref=ref, suite=curated_suite(thresholds=thresholds.curated), frame=documents
    )
