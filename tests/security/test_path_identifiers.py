"""Identifiers that become paths are validated in one place; a traversal key touches nothing
(issue 15, point 2)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize

from assets.partitions import PARTITIONS, BadPartitionKeyError, ref_from_key
from assets.resources import LakehouseResource
from lakehouse.home import (
    InvalidIdentifierError,
    LakehouseHome,
    PartitionRef,
    PathOutsideHomeError,
    checked_identifier,
    checked_night,
)
from orchestration.definitions import PARTITION_ASSETS
from tests.conftest import REF, WriteJsonl, record

TRAVERSAL = "../../../../tmp/pwn"
BAD_INSTITUTIONS = [TRAVERSAL, "inst_000\n", "..", ".hidden", "a/b", "a\\b", "", "x" * 65, "é"]


@pytest.mark.parametrize("bad", BAD_INSTITUTIONS)
def test_bad_institution_ids_are_refused_everywhere(bad: str, home: LakehouseHome) -> None:
    with pytest.raises(InvalidIdentifierError, match="invalid institution"):
        checked_identifier("institution", bad)
    with pytest.raises(InvalidIdentifierError):
        PartitionRef(bad, REF.night)
    with pytest.raises(InvalidIdentifierError):
        home.institution_dir(bad)
    with pytest.raises(BadPartitionKeyError, match="names no lakehouse partition"):
        ref_from_key(f"{bad}/2026-01-05")


@pytest.mark.parametrize(
    "bad", ["2026-01-05\n", "20260105", "2026-W01-1", "2026-02-30", "../2026-01-05", "2026-1-5"]
)
def test_bad_nights_are_refused(bad: str) -> None:
    with pytest.raises(InvalidIdentifierError, match="invalid night"):
        checked_night(bad)
    with pytest.raises(BadPartitionKeyError):
        ref_from_key(f"inst_000/{bad}")


def test_good_identifiers_pass() -> None:
    assert ref_from_key("inst_000/2026-01-05") == PartitionRef("inst_000", date(2026, 1, 5))
    assert checked_identifier("dataset", "pretrain") == "pretrain"
    release = "r-2026-01-05_2026-01-07-0123abcd"
    assert checked_identifier("release", release) == release
    with pytest.raises(InvalidIdentifierError):
        checked_identifier("release", "../LATEST")
    with pytest.raises(InvalidIdentifierError):
        checked_identifier("dataset", "pretrain/../../lake")


def test_landing_links_leading_out_are_skipped_and_refused(
    home: LakehouseHome, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "2026-01-05").mkdir(parents=True)
    home.landing.mkdir(parents=True)
    (home.landing / "inst_link").symlink_to(outside, target_is_directory=True)
    (home.landing / "inst_ok" / "2026-01-05").mkdir(parents=True)
    (home.landing / "inst_ok" / "2026-01-06").symlink_to(outside / "2026-01-05")

    assert home.landed_institutions() == ["inst_ok"]
    assert home.landed_partitions() == [PartitionRef("inst_ok", date(2026, 1, 5))]
    with pytest.raises(PathOutsideHomeError):
        home.night_dir(PartitionRef("inst_link", date(2026, 1, 5)))


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


def test_a_traversal_partition_key_fails_the_run_and_touches_nothing(
    home: LakehouseHome, write_jsonl: WriteJsonl, tmp_path: Path
) -> None:
    write_jsonl("a.jsonl", [record(1)])
    before = _tree(tmp_path)
    instance = DagsterInstance.ephemeral()
    key = f"{TRAVERSAL}/{REF.night.isoformat()}"
    instance.add_dynamic_partitions(PARTITIONS, [key])

    result = materialize(
        PARTITION_ASSETS,
        partition_key=key,
        instance=instance,
        resources={"lakehouse": LakehouseResource(home=str(home.root))},
        raise_on_error=False,
    )

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "names no lakehouse partition" in str(failure.step_failure_data.error)
    assert _tree(tmp_path) == before
    assert not os.path.exists("/tmp/pwn")
