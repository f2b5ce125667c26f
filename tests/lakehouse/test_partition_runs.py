"""Run records: what `lakehouse status` reads back about each partition's last CLI run."""

from __future__ import annotations

from datetime import date

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.partition_runs import (
    PartitionRun,
    StepError,
    now,
    read_partition_runs,
    runs_dir,
    write_partition_run,
)


def test_a_run_record_reads_back_as_written_and_a_rerun_replaces_it(home: LakehouseHome) -> None:
    ref = PartitionRef("inst_a", date(2026, 1, 5))
    failed = PartitionRun(
        ref=ref,
        status="failed",
        run_id="abc",
        finished_at=now(),
        seconds=1.5,
        errors=(StepError("consented_submissions", "ReferenceFileError: the consent file ..."),),
        ledger={"landed": 10, "accepted": 9, "kept": None},
    )
    write_partition_run(home, failed)
    assert read_partition_runs(home) == {ref: failed}
    ok = PartitionRun(ref=ref, status="ok", run_id="def", finished_at=now(), seconds=2.0)
    write_partition_run(home, ok)
    assert read_partition_runs(home) == {ref: ok}
    assert [p.name for p in (runs_dir(home) / "inst_a").iterdir()] == ["2026-01-05.json"]
    assert (runs_dir(home) / "inst_a" / "2026-01-05.json").stat().st_mode & 0o077 == 0
    assert runs_dir(home).stat().st_mode & 0o077 == 0


def test_a_damaged_record_is_skipped(home: LakehouseHome) -> None:
    folder = runs_dir(home) / "inst_a"
    folder.mkdir(parents=True)
    (folder / "2026-01-05.json").write_text("{not json")
    (folder / "2026-01-06.json").write_text('{"status": "exploded"}')
    assert read_partition_runs(home) == {}
