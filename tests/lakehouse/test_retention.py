"""Retention: landing nights and quarantined raw records past each institution's retention are
purged by `enforce_retention`, one audit event each; counts still reconcile; a second call the
same day purges nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from lakehouse.contract import QUARANTINE_SCHEMA
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import InstitutionConfig, write_institution_config
from lakehouse.lake import read_partition, write_partition
from lakehouse.retention import enforce_retention

TODAY = date(2026, 6, 1)
OLD = PartitionRef("inst_a", date(2025, 11, 1))  # 212 days before TODAY
RECENT = PartitionRef("inst_a", date(2026, 5, 1))  # 31 days
OTHER = PartitionRef("inst_b", date(2026, 1, 1))  # 151 days


def _land(home: LakehouseHome, ref: PartitionRef) -> None:
    folder = home.night_dir(ref)
    folder.mkdir(parents=True)
    (folder / "export.jsonl").write_text('{"student_id": "S1"}\n')


def _quarantine(home: LakehouseHome, ref: PartitionRef) -> None:
    frame = pl.DataFrame(
        {
            "institution_id": [ref.institution_id] * 2,
            "night": [ref.night] * 2,
            "source_file": ["export.jsonl"] * 2,
            "source_line": [1, 2],
            "file_sha256": ["x", "x"],
            "reason": ["malformed_json", "bad_timestamp"],
            "detail": [None, None],
            "raw_record": ['{"student_id": "S1", "answer', None],
        },
        schema=QUARANTINE_SCHEMA,
    )
    write_partition(home, "bronze", "quarantine", ref, frame)


@pytest.fixture
def home(tmp_path: Path) -> LakehouseHome:
    home = LakehouseHome(tmp_path / "home")
    for ref in (OLD, RECENT, OTHER):
        _land(home, ref)
        _quarantine(home, ref)
    # inst_b keeps landing copies 30 days and raw quarantine 200 days
    write_institution_config(
        home, "inst_b", InstitutionConfig(landing_retention_days=30, quarantine_retention_days=200)
    )
    return home


def test_purges_what_is_past_retention_with_an_audit_event(home: LakehouseHome) -> None:
    purged = enforce_retention(home, today=TODAY)
    assert sorted((p.kind, str(p.ref), p.records) for p in purged) == [
        ("landing", str(OLD), 1),  # default 180 days
        ("landing", str(OTHER), 1),  # its own 30 days
        ("quarantine", str(OLD), 1),  # default 90 days; one record had content
    ]
    assert not home.night_dir(OLD).exists() and not home.night_dir(OTHER).exists()
    assert home.night_dir(RECENT).is_dir()
    old = read_partition(home, "bronze", "quarantine", OLD)
    assert old.height == 2 and old["raw_record"].null_count() == 2  # rows and reasons stay
    assert old["reason"].to_list() == ["malformed_json", "bad_timestamp"]
    for ref in (RECENT, OTHER):  # within their quarantine retention
        assert read_partition(home, "bronze", "quarantine", ref)["raw_record"].null_count() == 1
    audit = pl.read_parquet(home.audit / "*.parquet", hive_partitioning=False)
    assert sorted(zip(audit["event"], audit["institution_id"], audit["night"], strict=True)) == [
        ("landing_purged", "inst_a", OLD.night),
        ("landing_purged", "inst_b", OTHER.night),
        ("quarantine_purged", "inst_a", OLD.night),
    ]
    assert "S1" not in audit.write_ndjson()
    assert enforce_retention(home, today=TODAY) == []


def test_retention_is_typed_and_bounded() -> None:
    assert InstitutionConfig().landing_retention_days == 180
    assert InstitutionConfig().quarantine_retention_days == 90
    with pytest.raises(ValidationError):
        InstitutionConfig(quarantine_retention_days=0)
