"""The rights and retention jobs are thin Dagster wrappers: the retention schedule asks for a
daily run, and the job purges through `lakehouse.retention` with its counts as metadata."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from dagster import DagsterInstance, RunRequest, build_schedule_context

from assets.resources import LakehouseResource
from lakehouse.home import LakehouseHome, PartitionRef
from orchestration.definitions import defs
from orchestration.rights import RETENTION_JOB, RIGHTS_JOB, retention_job, retention_schedule


def test_jobs_and_schedule_are_defined() -> None:
    assert defs.get_job_def(RIGHTS_JOB) is not None
    assert defs.get_job_def(RETENTION_JOB) is not None
    assert defs.get_schedule_def("retention_schedule").cron_schedule == "30 3 * * *"
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
        )
        request = retention_schedule(context)
    assert isinstance(request, RunRequest) and request.run_key == "retention:2026-03-02"


def test_retention_job_purges_an_old_landed_night(tmp_path: Path) -> None:
    home = LakehouseHome(tmp_path / "home")
    old = PartitionRef("inst_a", date(2020, 1, 1))
    home.night_dir(old).mkdir(parents=True)
    (home.night_dir(old) / "export.jsonl").write_text("{}\n")
    with DagsterInstance.ephemeral() as instance:
        result = retention_job.execute_in_process(
            instance=instance, resources={"lakehouse": LakehouseResource(home=str(home.root))}
        )
    assert result.success
    assert not home.night_dir(old).exists()
    [materialization] = [
        e.step_output_data.metadata
        for e in result.all_events
        if e.is_successful_output and e.step_output_data.metadata
    ]
    assert materialization["landing_nights_purged"].value == 1
