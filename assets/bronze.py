"""Bronze: `raw_submissions` (parsed, typed, provenance, quarantine) and `consented_submissions`."""

from collections.abc import Iterator

from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, asset

from assets.gates import materialized, run_gate
from assets.partitions import lakehouse_partitions, ref_from_context
from assets.resources import LakehouseResource
from expectations.dagster_checks import gate_check_specs
from expectations.suites import bronze_suite, consent_gate_frame, consent_suite, quarantine_rate
from expectations.thresholds import load_thresholds
from lakehouse.consent import load_consent
from lakehouse.erasure import load_erasure_requests
from lakehouse.lake import read_partition
from lakehouse.stages.bronze import bronze_partition
from lakehouse.stages.consent import consent_partition
from lakehouse.tables import CONSENTED_TABLE, RAW_TABLE


@asset(
    partitions_def=lakehouse_partitions,
    group_name="bronze",
    kinds={"parquet", "polars", "duckdb"},
    check_specs=gate_check_specs(asset_key=RAW_TABLE, gates=["bronze"]),
    description=(
        "Every record of a night's LMS export, parsed and typed against the contract, with "
        "provenance (file, line, checksum). Records that break the contract go to the "
        "`quarantine` table with a reason; records of students who asked for erasure are only "
        "counted. landed = accepted + quarantined + erased."
    ),
)
def raw_submissions(
    context: AssetExecutionContext, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    result = bronze_partition(
        home=home,
        ref=ref,
        chunk_bytes=lakehouse.ingest_chunk_mb * 1024 * 1024,
        progress=context.log.info,
    )
    yield materialized({**result.metadata(), "path": home.partition_dir("bronze", RAW_TABLE, ref)})
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=bronze_suite(thresholds=thresholds.bronze),
        frame=read_partition(home, "bronze", RAW_TABLE, ref),
        metrics={
            "quarantine_rate": quarantine_rate(landed=result.landed, quarantined=result.quarantined)
        },
    )


@asset(
    partitions_def=lakehouse_partitions,
    group_name="bronze",
    deps=[raw_submissions],
    kinds={"parquet", "polars"},
    check_specs=gate_check_specs(asset_key=CONSENTED_TABLE, gates=["consent"]),
    description=(
        "Accepted records whose student's latest consent is `granted` (with guardian consent for "
        "a minor) and who asked for no erasure; the rest are excluded before scrubbing and "
        "counted by reason."
    ),
)
def consented_submissions(
    context: AssetExecutionContext, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    ref = ref_from_context(context)
    home = lakehouse.lake_home()
    result = consent_partition(home=home, ref=ref)
    yield materialized(
        {**result.metadata(), "path": home.partition_dir("bronze", CONSENTED_TABLE, ref)}
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=consent_suite(thresholds=thresholds.consent),
        frame=consent_gate_frame(
            consented=read_partition(home, "bronze", CONSENTED_TABLE, ref),
            consent=load_consent(home.consent_csv(ref.institution_id)),
            erasure_requests=load_erasure_requests(home.erasure_dir(ref.institution_id)),
        ),
    )
