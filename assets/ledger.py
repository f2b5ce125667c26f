"""Gold: `partition_ledger`, the per-partition reconciliation of every stage's counts."""

import json
from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.bronze import consented_submissions, raw_submissions
from assets.curated import curated_documents
from assets.partitions import lakehouse_partitions, ref_from_context
from assets.resources import LakehouseResource
from assets.silver import scrubbed_submissions
from lakehouse.stages.ledger import ledger_partition
from lakehouse.tables import LEDGER_TABLE


@asset(
    partitions_def=lakehouse_partitions,
    group_name="gold",
    deps=[raw_submissions, consented_submissions, scrubbed_submissions, curated_documents],
    kinds={"parquet", "polars"},
    check_specs=[
        AssetCheckSpec(
            "counts_reconcile",
            asset=LEDGER_TABLE,
            blocking=True,
            description=(
                "landed = accepted + quarantined + erased, accepted = excluded + consented, "
                "consented = scrubbed, scrubbed = kept + dropped."
            ),
        )
    ],
    description=(
        "One row per institution and night: records landed, accepted, quarantined and excluded "
        "(by reason) and how far they got; `reconciles` says the counts add up exactly."
    ),
)
def partition_ledger(
    context: AssetExecutionContext, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    ref = ref_from_context(context)
    ledger = ledger_partition(home=lakehouse.lake_home(), ref=ref)
    row = ledger.row(0, named=True)
    counts = {k: v for k, v in row.items() if isinstance(v, int) and not isinstance(v, bool)}
    yield MaterializeResult(
        metadata={
            **counts,
            "reconciles": bool(row["reconciles"]),
            "quarantined_by_reason": MetadataValue.json(json.loads(row["quarantined_by_reason"])),
            "excluded_by_reason": MetadataValue.json(json.loads(row["excluded_by_reason"])),
        }
    )
    yield AssetCheckResult(
        check_name="counts_reconcile",
        passed=bool(row["reconciles"]),
        severity=AssetCheckSeverity.ERROR,
        metadata=counts,
    )
