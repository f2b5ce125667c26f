"""Jobs: the nightly job materialises every partitioned asset of one institution x night; the
publish job builds the release-level assets (exports, warehouse) after them."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from assets.partitions import lakehouse_partitions

NIGHTLY_JOB = "nightly_partition"
PUBLISH_JOB = "publish_release"
RELEASE_GROUPS = ("exports", "warehouse")

nightly_partition_job = define_asset_job(
    name=NIGHTLY_JOB,
    selection=AssetSelection.all() - AssetSelection.groups(*RELEASE_GROUPS),
    partitions_def=lakehouse_partitions,
    description="Every asset of the lakehouse for one institution and one night.",
)

publish_job = define_asset_job(
    name=PUBLISH_JOB,
    selection=AssetSelection.groups(*RELEASE_GROUPS),
    description=(
        "The exports release and the analysts' warehouse, over every partition that passed "
        "all its gates."
    ),
)
