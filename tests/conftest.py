"""Shared fixtures: a hand-made landing zone builder, and offline settings for every test."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("LAKEHOUSE_PSEUDONYM_KEY", "test-only-pseudonym-key-0123456789abcdef")
# tests use nights from 2026-01-05 in homes of their own: the night dimension must not start at
# whatever a developer's ./lakehouse_home happens to hold
os.environ.setdefault("LAKEHOUSE_FIRST_NIGHT", "2020-01-01")

from lakehouse.home import LakehouseHome, PartitionRef

NIGHT = date(2026, 1, 5)
REF = PartitionRef("inst_test", NIGHT)


def record(i: int, **overrides: Any) -> dict[str, Any]:
    """A contract-valid record; keyword arguments override or add fields."""
    base: dict[str, Any] = {
        "submission_id": f"sub-{i:04d}",
        "student_id": f"stu-{i % 7:03d}",
        "course_id": "CS101",
        "assignment_id": "A1",
        "question_id": f"Q{i % 3}",
        "question_text": "Explain the difference between TCP and UDP.",
        "answer_text": f"TCP is connection oriented and reliable; UDP is not. Answer {i}.",
        "submitted_at": "2026-01-05T10:15:00+05:30",
        "grade": 7.5,
        "max_grade": 10,
        "grader_id": "tch-001",
        "feedback": "Good, but mention flow control.",
        "language": "en",
    }
    base.update(overrides)
    return base


@pytest.fixture
def home(tmp_path: Path) -> LakehouseHome:
    return LakehouseHome(tmp_path / "home")


@pytest.fixture
def night_dir(home: LakehouseHome) -> Path:
    folder = home.night_dir(REF)
    folder.mkdir(parents=True)
    return folder


WriteJsonl = Callable[[str, list[Any]], Path]


@pytest.fixture
def write_jsonl(night_dir: Path) -> WriteJsonl:
    """Write records (dicts are JSON-encoded, str/bytes written as they are) one per line."""

    def write(name: str, lines: list[Any]) -> Path:
        out = b""
        for line in lines:
            if isinstance(line, dict | list):
                out += json.dumps(line, ensure_ascii=False).encode()
            elif isinstance(line, str):
                out += line.encode()
            else:
                out += line
            out += b"\n"
        path = night_dir / name
        path.write_bytes(out)
        return path

    return write


CONSENT_HEADER = "student_id,status,is_minor,guardian_consent,updated_at,verified_by,verified_at"


def write_consent(home: LakehouseHome, rows: list[str]) -> None:
    """consent.csv with the given rows; a row may leave out the guardian verification fields."""
    path = home.consent_csv(REF.institution_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    width = CONSENT_HEADER.count(",")
    padded = [row + "," * (width - row.count(",")) for row in rows]
    path.write_text(CONSENT_HEADER + "\n" + "\n".join(padded) + "\n")


@pytest.fixture(scope="session")
def pipeline_home(tmp_path_factory: pytest.TempPathFactory) -> LakehouseHome:
    """A generated home (2 institutions x 2 nights x 250) run through every stage, in-process
    without Dagster; shared by the stage tests (read-only, or re-running with identical output)."""
    from lakehouse.pseudonym import load_key
    from lakehouse.stages.bronze import bronze_partition
    from lakehouse.stages.consent import consent_partition
    from lakehouse.stages.curated import curated_partition
    from lakehouse.stages.ledger import ledger_partition
    from lakehouse.stages.silver import silver_partition
    from orchestration.cli import main

    root = tmp_path_factory.mktemp("pipeline")
    # the CLI's generate also writes each institution's roll-number format (operator settings)
    args = ["--institutions", "2", "--nights", "2", "--submissions", "250", "--seed", "3"]
    main(["generate", "--home", str(root), *args])
    home = LakehouseHome(root)
    for ref in home.landed_partitions():
        bronze_partition(home=home, ref=ref)
        consent_partition(home=home, ref=ref)
        silver_partition(home=home, ref=ref, key=load_key())
        curated_partition(home=home, ref=ref, key=load_key())
        ledger_partition(home=home, ref=ref)
    return home


@pytest.fixture(autouse=True)
def _umask_restored() -> Any:
    """A run makes the process umask private (077, `lakehouse.access`) and keeps it for the rest
    of the process, as a run should; in the suite that would make every later test's files
    private too, so a test's outcome would depend on which tests ran before it."""
    umask = os.umask(0o022)
    os.umask(umask)
    yield
    os.umask(umask)


@pytest.fixture(autouse=True)
def _dagster_state_isolated() -> Any:
    """No Dagster process-wide state survives a test, whatever order tests run in.

    Dagster keeps the current definitions-state storage in a context variable that entering an
    instance sets and leaving it resets. A schedule or sensor context that is built without
    `with` enters an instance on first use and never leaves it; when the context is later
    garbage-collected, its clean-up resets the variable to whatever was current when it was
    entered: an instance that is gone by then, whose deleted folder the next `materialize` tried
    to open (issue 19). Collect garbage while the test still owns the variable, so such a leak
    fails the test that caused it, and restore `DAGSTER_HOME` (the CLI sets it for a run).
    """
    import gc

    from dagster._core.definitions.definitions_load_context import DefinitionsLoadContext
    from dagster._core.storage.defs_state.base import DefsStateStorage, _current_storage

    dagster_home = os.environ.get("DAGSTER_HOME")
    assert DefsStateStorage.get() is None, "a Dagster instance was left entered before this test"
    assert not DefinitionsLoadContext.is_set(), "a definitions-load context was left behind"
    yield
    gc.collect()
    left = DefsStateStorage.get()
    load_context_left = DefinitionsLoadContext.is_set()
    _current_storage.set(None)  # a failure below must not cascade into later tests
    DefinitionsLoadContext.set(None)  # type: ignore[arg-type]
    if dagster_home is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = dagster_home
    assert left is None, (
        "this test left a Dagster instance entered (build schedule/sensor contexts with `with`)"
    )
    assert not load_context_left, "this test left a Dagster definitions-load context set"
