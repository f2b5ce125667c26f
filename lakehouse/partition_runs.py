"""What the last run of each partition came to, kept so `lakehouse status` can say it later.

A partition's lake tables tell whether it got through (its ledger) or which gate stopped it (the
gate results in `lake/gold/quality_results/`), but a crash leaves no trace in the lake. The runner
therefore records each partition's outcome, with the failing step and its error message, in
`<home>/.runs/<institution>/<night>.json` (one small file per partition, replaced atomically).
It is outside the lake on purpose: it holds run ids and timings, which differ between two runs
that give identical lake tables. Error messages name files, steps and counts, never record
content (the pipeline's logging rule), so the file holds no personal data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final, Literal, get_args

from lakehouse.atomic import write_text_atomic
from lakehouse.home import INSTITUTION_ID, LakehouseHome, PartitionRef
from lakehouse.stages.ledger import LEDGER_METRICS

RunStatus = Literal["ok", "blocked", "failed"]
RUNS_FOLDER: Final = ".runs"
LEDGER_FIELDS: Final = LEDGER_METRICS


@dataclass(frozen=True, slots=True)
class StepError:
    """A step (Dagster op) that raised, and the error's message (its cause's, when wrapped)."""

    step: str
    message: str


@dataclass(frozen=True, slots=True)
class PartitionRun:
    """The outcome of one run of one partition through every asset."""

    ref: PartitionRef
    status: RunStatus
    run_id: str
    finished_at: datetime
    seconds: float
    blocked_by: tuple[str, ...] = ()
    """Failed blocking checks, `<asset>:<check>` (e.g. `raw_submissions:bronze`)."""
    errors: tuple[StepError, ...] = ()
    ledger: dict[str, int | None] = field(default_factory=dict)
    """The partition's counts after the run (`LEDGER_FIELDS`; null for stages that did not run)."""
    reconciles: bool | None = None


def runs_dir(home: LakehouseHome) -> Path:
    return home.root / RUNS_FOLDER


def _path(home: LakehouseHome, ref: PartitionRef) -> Path:
    return runs_dir(home) / ref.institution_id / f"{ref.night.isoformat()}.json"


def write_partition_run(home: LakehouseHome, run: PartitionRun) -> Path:
    """Replace the partition's record (write aside, then rename)."""
    path = _path(home, run.ref)
    # private like the lake: the pipeline's own account only (errors name files and steps)
    home.root.mkdir(parents=True, exist_ok=True)
    runs_dir(home).mkdir(mode=0o700, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    record = asdict(run)
    record["ref"] = {"institution_id": run.ref.institution_id, "night": run.ref.night.isoformat()}
    record["finished_at"] = run.finished_at.isoformat()
    return write_text_atomic(path, json.dumps(record, sort_keys=True, indent=1) + "\n")


def _parse(text: str) -> PartitionRun:
    raw = json.loads(text)
    status = raw["status"]
    if status not in get_args(RunStatus):
        raise ValueError(f"unknown status {status!r}")
    return PartitionRun(
        ref=PartitionRef(raw["ref"]["institution_id"], date.fromisoformat(raw["ref"]["night"])),
        status=status,
        run_id=str(raw["run_id"]),
        finished_at=datetime.fromisoformat(raw["finished_at"]),
        seconds=float(raw["seconds"]),
        blocked_by=tuple(raw.get("blocked_by", ())),
        errors=tuple(StepError(e["step"], e["message"]) for e in raw.get("errors", ())),
        ledger=dict(raw.get("ledger", {})),
        reconciles=raw.get("reconciles"),
    )


def read_partition_runs(home: LakehouseHome) -> dict[PartitionRef, PartitionRun]:
    """Every recorded partition outcome; a damaged record is skipped (status then derives the
    partition's state from the lake alone)."""
    root = runs_dir(home)
    if not root.is_dir():
        return {}
    runs: dict[PartitionRef, PartitionRun] = {}
    for inst in sorted(p for p in root.iterdir() if p.is_dir() and INSTITUTION_ID.match(p.name)):
        for path in sorted(inst.glob("*.json")):
            try:
                run = _parse(path.read_text())
            except (OSError, ValueError, KeyError, TypeError):
                continue
            runs[run.ref] = run
    return runs


def now() -> datetime:
    return datetime.now(UTC)
