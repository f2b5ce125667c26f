"""Bronze: `raw_submissions` (parsed, typed, provenance, quarantine) and `consented_submissions`."""

from collections.abc import Iterator

from dagster import AssetCheckResult, AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.gates import run_gate
from expectations.dagster_checks import gate_check_specs
from expectations.suites import bronze_suite, consent_gate_frame, consent_suite, quarantine_rate
from expectations.thresholds import load_thresholds
from lakehouse.bronze import ingest_partition
from lakehouse.consent import consent_partition, load_consent
from lakehouse.erasure import load_erasure_requests
from lakehouse.lake import read_partition
from orchestration.partitions import lakehouse_partitions, ref_from_context
from orchestration.resources import LakehouseResource


def _reason_table(title: str, counts: dict[str, int]) -> str:
    rows = "\n".join(f"| `{reason}` | {n} |" for reason, n in sorted(counts.items()))
    return f"| {title} | records |\n|---|---|\n{rows or '| (none) | 0 |'}"


@asset(
    partitions_def=lakehouse_partitions,
    group_name="bronze",
    kinds={"parquet", "polars", "duckdb"},
    check_specs=gate_check_specs(asset_key="raw_submissions", gates=["bronze"]),
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
    result = ingest_partition(
        home=home,
        ref=ref,
        chunk_bytes=lakehouse.ingest_chunk_mb * 1024 * 1024,
        progress=context.log.info,
    )
    yield MaterializeResult(
        metadata={
            "dagster/row_count": result.accepted,
            "erased": result.erased,
            "landed": result.landed,
            "accepted": result.accepted,
            "quarantined": result.quarantined,
            "quarantine_rate": round(result.quarantined / result.landed, 4)
            if result.landed
            else 0.0,
            "quarantined_by_reason": MetadataValue.json(result.quarantined_by_reason),
            "files_by_format": MetadataValue.json(result.files_by_format),
            "unreadable_files": MetadataValue.json(result.unreadable_files),
            "ignored_files": result.ignored_files,
            "bytes_read": result.bytes_read,
            "quarantine_summary": MetadataValue.md(
                _reason_table("quarantine reason", result.quarantined_by_reason)
            ),
            "path": MetadataValue.path(str(home.partition_dir("bronze", "raw_submissions", ref))),
        }
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=bronze_suite(thresholds=thresholds.bronze),
        frame=read_partition(home, "bronze", "raw_submissions", ref),
        metrics={
            "quarantine_rate": quarantine_rate(landed=result.landed, quarantined=result.quarantined)
        },
    )


@asset(
    partitions_def=lakehouse_partitions,
    group_name="bronze",
    deps=[raw_submissions],
    kinds={"parquet", "polars"},
    check_specs=gate_check_specs(asset_key="consented_submissions", gates=["consent"]),
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
    yield MaterializeResult(
        metadata={
            "dagster/row_count": result.consented_rows,
            "consented": result.consented_rows,
            "excluded": result.excluded,
            "excluded_by_reason": MetadataValue.json(result.excluded_by_reason),
            "exclusion_summary": MetadataValue.md(
                _reason_table("exclusion reason", result.excluded_by_reason)
            ),
            "path": MetadataValue.path(
                str(home.partition_dir("bronze", "consented_submissions", ref))
            ),
        }
    )
    thresholds = load_thresholds(home=home, institution_id=ref.institution_id)
    yield run_gate(
        home=home,
        ref=ref,
        suite=consent_suite(thresholds=thresholds.consent),
        frame=consent_gate_frame(
            consented=read_partition(home, "bronze", "consented_submissions", ref),
            consent=load_consent(home.consent_csv(ref.institution_id)),
            erasure_requests=load_erasure_requests(home.erasure_dir(ref.institution_id)),
        ),
    )
