"""Silver: `scrubbed_submissions` (Presidio scrubbing, keyed pseudonyms) behind the silver gate."""

from collections.abc import Iterator

from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, asset

from assets.bronze import consented_submissions
from assets.gates import materialized, run_gate
from assets.partitions import lakehouse_partitions, ref_from_context
from assets.resources import LakehouseResource
from expectations.dagster_checks import gate_check_specs
from expectations.suites import silver_gate_frame, silver_suite
from expectations.thresholds import load_thresholds
from lakehouse.lake import read_partition
from lakehouse.pseudonym import load_key
from lakehouse.stages.silver import roster_full_names, silver_partition
from lakehouse.tables import CONSENTED_TABLE, SCRUBBED_TABLE


@asset(
    partitions_def=lakehouse_partitions,
    group_name="silver",
    deps=[consented_submissions],
    kinds={"parquet", "polars", "presidio"},
    check_specs=gate_check_specs(asset_key=SCRUBBED_TABLE, gates=["silver"]),
    description=(
        "Consented answers with personal data replaced by typed placeholders (<PERSON>, "
        "<AADHAAR>, <PHONE>, ...) and student/grader ids replaced by keyed HMAC pseudonyms. "
        "Nothing personal leaves bronze; the silver gate blocks a partition with residual PII."
    ),
)
def scrubbed_submissions(
    context: AssetExecutionContext, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    key = load_key()
    consented = read_partition(home, "bronze", CONSENTED_TABLE, ref)
    if consented.height >= lakehouse.ray_scrub_min_rows:
        from ray_jobs.scrub import scrub_frame_on_ray

        context.log.info(f"{ref}: {consented.height} rows, scrubbing on Ray")
        result, frame = silver_partition(home=home, ref=ref, key=key, scrubber=scrub_frame_on_ray)
    else:
        result, frame = silver_partition(home=home, ref=ref, key=key)
    context.log.info(f"{ref}: PII analyzer NLP engine: {result.nlp_engine}")
    yield materialized(
        {**result.metadata(), "path": home.partition_dir("silver", SCRUBBED_TABLE, ref)}
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=silver_suite(
            thresholds=thresholds.silver,
            raw_student_ids=consented.get_column("student_id").unique().to_list(),
            roster_names=roster_full_names(home, ref.institution_id),
        ),
        frame=silver_gate_frame(frame),
    )
