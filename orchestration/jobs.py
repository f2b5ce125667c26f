"""Jobs: the nightly job materialises every partitioned asset of one institution x night."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from orchestration.partitions import lakehouse_partitions

NIGHTLY_JOB = "nightly_partition"

nightly_partition_job = define_asset_job(
    name=NIGHTLY_JOB,
    selection=AssetSelection.all(),
    partitions_def=lakehouse_partitions,
    description="Every asset of the lakehouse for one institution and one night.",
)
