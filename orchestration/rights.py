"""Dagster jobs of the data-subject rights path and of retention, thin over `lakehouse.rights`
and `lakehouse.retention`.

- `data_subject_rights` (one institution, launched by the erasure and consent sensors): audit,
  dedup index, models, releases and landing copies (`lakehouse.rights.apply_rights`).
- `retention_purge` (daily at 03:30 IST, `retention_schedule`): landing copies and quarantine
  records older than each institution's retention (`lakehouse.retention`).
"""

from dagster import (
    Config,
    DefaultScheduleStatus,
    MetadataValue,
    OpExecutionContext,
    RunRequest,
    ScheduleEvaluationContext,
    job,
    op,
    schedule,
)

from assets.resources import LakehouseResource
from lakehouse.pseudonym import load_key
from lakehouse.retention import enforce_retention
from lakehouse.rights import apply_rights

RIGHTS_JOB = "data_subject_rights"
RETENTION_JOB = "retention_purge"


class RightsConfig(Config):
    institution_id: str


@op(description="Apply one institution's erasures and consent withdrawals (lakehouse.rights).")
def apply_data_subject_rights(
    context: OpExecutionContext, config: RightsConfig, lakehouse: LakehouseResource
) -> None:
    report = apply_rights(lakehouse.lake_home(), config.institution_id, key=load_key())
    context.add_output_metadata(
        {
            "students": report.students,
            "index_entries_removed": report.index_entries_removed,
            "models_retired": report.models_retired,
            "releases_withdrawn": MetadataValue.json(list(report.releases_withdrawn)),
            "landing_records_removed": sum(report.landing_records_removed.values()),
            "landing_nights_redacted": len(report.landing_records_removed),
            "roster_rows_removed": report.roster_rows_removed,
        }
    )


@job(name=RIGHTS_JOB, description="The rights path for one institution (lakehouse.rights).")
def rights_job() -> None:
    apply_data_subject_rights()


def rights_run_request(institution_id: str, run_key: str) -> RunRequest:
    return RunRequest(
        run_key=run_key,
        job_name=RIGHTS_JOB,
        run_config={
            "ops": {"apply_data_subject_rights": {"config": {"institution_id": institution_id}}}
        },
    )


@op(description="Purge landing copies and quarantine records past their retention.")
def purge_past_retention(context: OpExecutionContext, lakehouse: LakehouseResource) -> None:
    purged = enforce_retention(lakehouse.lake_home())
    context.add_output_metadata(
        {
            "landing_nights_purged": sum(p.kind == "landing" for p in purged),
            "quarantine_partitions_purged": sum(p.kind == "quarantine" for p in purged),
            "records": sum(p.records for p in purged),
        }
    )


@job(name=RETENTION_JOB, description="Retention of landing copies and quarantine.")
def retention_job() -> None:
    purge_past_retention()


@schedule(
    job=retention_job,
    cron_schedule="30 3 * * *",
    execution_timezone="Asia/Kolkata",
    default_status=DefaultScheduleStatus.RUNNING,
    description="At 03:30 IST, purge landing copies and quarantine past their retention.",
)
def retention_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=f"retention:{context.scheduled_execution_time.date().isoformat()}")
