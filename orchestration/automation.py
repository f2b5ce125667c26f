"""The nightly schedule and the landing, erasure and consent sensors.

The schedule runs last night of every institution whose folder has landed and is registered. The
landing sensor registers every landed institution x night folder as a dynamic partition
(onboarding without code change; nothing that has not landed ever becomes a partition) and
requests a run for every recent night folder that is new or changed and has settled, so
late-landing exports and late extra files are picked up.
"""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    schedule,
    sensor,
)

from assets.partitions import (
    PARTITIONS,
    lakehouse_partitions,
    landed_refs,
    partition_key,
    unregistered_keys,
)
from assets.resources import LakehouseResource
from lakehouse.consent import partitions_losing_consent
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.landing import folder_fingerprint, ready_to_ingest, recent_landed_nights
from lakehouse.pseudonym import load_key
from lakehouse.rights import forgotten_students, partitions_to_rerun, redacted_nights
from orchestration.jobs import nightly_partition_job, publish_job
from orchestration.rights import rights_job, rights_run_request


@schedule(
    job=nightly_partition_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Kolkata",
    default_status=DefaultScheduleStatus.RUNNING,
    description="At 02:30 IST, ingest last night for every institution whose export landed.",
)
def nightly_schedule(
    context: ScheduleEvaluationContext, lakehouse: LakehouseResource
) -> list[RunRequest] | SkipReason:
    home = lakehouse.lake_home()
    night = (context.scheduled_execution_time.date()) - timedelta(days=1)
    known = set(context.instance.get_dynamic_partitions(PARTITIONS))
    requests = [
        RunRequest(run_key=f"nightly:{ref}", partition_key=key)
        for inst in home.landed_institutions()
        if (key := partition_key(ref := PartitionRef(inst, night))) in known
    ]
    return requests or SkipReason(f"no institution has landed night {night.isoformat()} yet")


@schedule(
    job=publish_job,
    cron_schedule="30 5 * * *",
    execution_timezone="Asia/Kolkata",
    default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "At 05:30 IST, after the nightly partitions: the exports release and the warehouse, over "
        "every partition that has passed all its gates (a blocked partition is left out)."
    ),
)
def publish_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=f"publish:{context.scheduled_execution_time.date().isoformat()}")


@sensor(
    job=nightly_partition_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Registers landed institution x night folders and runs new or changed ones.",
)
def landing_sensor(context: SensorEvaluationContext, lakehouse: LakehouseResource) -> SensorResult:
    home = lakehouse.lake_home()
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    runnable = landed_refs(home)
    new_keys = unregistered_keys(runnable, context.instance.get_dynamic_partitions(PARTITIONS))
    today = datetime.now(UTC).date()
    nights = recent_landed_nights(
        home, runnable, today=today, lookback_days=lakehouse.sensor_lookback_days
    )
    ready = ready_to_ingest(
        nights, seen=seen, now=time.time(), settle_seconds=lakehouse.sensor_settle_seconds
    )
    cursor = {str(n.ref): seen.get(str(n.ref), "") for n in nights}
    cursor.update({str(n.ref): n.fingerprint for n in ready})
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=f"landed:{n.ref}:{n.fingerprint}", partition_key=partition_key(n.ref)
            )
            for n in ready
        ],
        dynamic_partitions_requests=(
            [lakehouse_partitions.build_add_request(new_keys)] if new_keys else []
        ),
        cursor=json.dumps({k: v for k, v in cursor.items() if v}, sort_keys=True),
    )


REDACTIONS = "_redactions"
"""Cursor key of the erasure sensor: the `landing_redacted` audit events already re-run."""


def _rights_requests(
    home: LakehouseHome, institution: str, trigger: str, key: bytes
) -> list[RunRequest]:
    """The rights job for the institution, then a re-run of every partition (of any
    institution) that still holds one of its erased or withdrawn students or points at their
    submissions (`lakehouse.rights`). Nothing when the institution has nobody to forget (a
    consent file that only grants)."""
    if forgotten_students(home, institution).is_empty():
        return []
    return [
        rights_run_request(institution, f"{trigger}:rights"),
        *(
            RunRequest(
                run_key=f"{trigger}:{ref}",
                job_name=nightly_partition_job.name,
                partition_key=partition_key(ref),
            )
            for ref in partitions_to_rerun(home, institution, key=key)
        ),
    ]


@sensor(
    jobs=[nightly_partition_job, rights_job],
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "When an institution's erasure requests change: the rights job (audit, index, models, "
        "releases, landing copies) and a re-run of every partition that still holds a listed "
        "student; then one re-run of each night whose landing copy the rights job redacted."
    ),
)
def erasure_sensor(context: SensorEvaluationContext, lakehouse: LakehouseResource) -> SensorResult:
    home = lakehouse.lake_home()
    seen: dict[str, Any] = json.loads(context.cursor) if context.cursor else {}
    cursor = dict(seen)
    requests: list[RunRequest] = []
    for institution in home.landed_institutions():
        folder = home.erasure_dir(institution)
        if not folder.is_dir():
            continue
        fingerprint = folder_fingerprint(folder)
        if seen.get(institution) == fingerprint:
            continue
        requests += _rights_requests(home, institution, f"erasure:{fingerprint}", load_key())
        cursor[institution] = fingerprint
    done = set(seen.get(REDACTIONS, []))
    redacted = redacted_nights(home).filter(~pl.col("event_id").is_in(sorted(done)))
    for event_id, institution, night in redacted.iter_rows():
        ref = PartitionRef(institution, night)
        requests.append(
            RunRequest(
                run_key=f"redacted:{event_id}",
                job_name=nightly_partition_job.name,
                partition_key=partition_key(ref),
            )
        )
    cursor[REDACTIONS] = sorted(done | set(redacted["event_id"].to_list()))
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@sensor(
    jobs=[nightly_partition_job, rights_job],
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "When an institution's consent.csv changes: the rights job for students who withdrew "
        "(a withdrawal acts like an erasure, for every night already processed) and a re-run "
        "of every partition that used a student the file no longer allows."
    ),
)
def consent_sensor(context: SensorEvaluationContext, lakehouse: LakehouseResource) -> SensorResult:
    home = lakehouse.lake_home()
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    cursor = dict(seen)
    requests: list[RunRequest] = []
    for institution in home.landed_institutions():
        path = home.consent_csv(institution)
        if not path.is_file():
            continue
        fingerprint = _file_fingerprint(path)
        if seen.get(institution) == fingerprint:
            continue
        trigger = f"consent:{fingerprint}"
        rights = _rights_requests(home, institution, trigger, load_key())
        keys = {r.partition_key for r in rights}
        requests += rights + [
            RunRequest(
                run_key=f"{trigger}:{ref}",
                job_name=nightly_partition_job.name,
                partition_key=partition_key(ref),
            )
            for ref in partitions_losing_consent(home, institution)
            if partition_key(ref) not in keys
        ]
        cursor[institution] = fingerprint
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
