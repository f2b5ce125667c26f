"""The one entry point `workspace.yaml` names: every asset, check, job, schedule and sensor."""

from __future__ import annotations

from dagster import Definitions

from assets.bronze import consented_submissions, raw_submissions
from assets.curated import curated_documents
from assets.exports import training_exports
from assets.ledger import partition_ledger
from assets.resources import LakehouseResource
from assets.reward import reward_model, reward_scores
from assets.silver import scrubbed_submissions
from assets.warehouse import warehouse_models
from orchestration.automation import (
    consent_sensor,
    erasure_sensor,
    landing_sensor,
    nightly_schedule,
    publish_schedule,
)
from orchestration.jobs import nightly_partition_job, publish_job
from orchestration.rights import retention_job, retention_schedule, rights_job

PARTITION_ASSETS = [
    raw_submissions,
    consented_submissions,
    scrubbed_submissions,
    curated_documents,
    reward_model,
    reward_scores,
    partition_ledger,
]
"""One run per institution x night materialises these (the nightly job)."""

RELEASE_ASSETS = [training_exports, warehouse_models]
"""Unpartitioned: built after the partitions, over every partition that passed its gates."""

ASSETS = [*PARTITION_ASSETS, *RELEASE_ASSETS]

defs = Definitions(
    assets=ASSETS,
    jobs=[nightly_partition_job, publish_job, rights_job, retention_job],
    schedules=[nightly_schedule, publish_schedule, retention_schedule],
    sensors=[landing_sensor, erasure_sensor, consent_sensor],
    resources={"lakehouse": LakehouseResource()},
)
