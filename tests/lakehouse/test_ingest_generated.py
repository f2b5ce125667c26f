"""Bronze ingestion and consent on generated homes agree exactly with the generator's truth."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from lakehouse.generate import generate_home, truth_root
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from lakehouse.stages.bronze import bronze_partition
from lakehouse.stages.consent import consent_partition
from lakehouse.stages.ledger import ledger_partition


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> LakehouseHome:
    root = tmp_path_factory.mktemp("generated")
    generate_home(home=root, institutions=2, nights=2, submissions_per_night=150, seed=11)
    home = LakehouseHome(root)
    for ref in home.landed_partitions():
        bronze_partition(home=home, ref=ref)
        consent_partition(home=home, ref=ref)
        ledger_partition(home=home, ref=ref)
    return home


def _truth(home: LakehouseHome, institution: str, night: date) -> dict:
    path = truth_root(home.root) / institution / night.isoformat() / "expected.json"
    return json.loads(Path(path).read_text())


def test_every_partition_matches_the_generators_truth(generated: LakehouseHome) -> None:
    refs = generated.landed_partitions()
    assert len(refs) == 4
    for ref in refs:
        truth = _truth(generated, ref.institution_id, ref.night)
        ledger = read_partition(generated, "gold", "partition_ledger", ref).row(0, named=True)
        assert ledger["landed"] == truth["landed"]
        assert ledger["accepted"] + ledger["erased"] == truth["accepted"]
        assert json.loads(ledger["quarantined_by_reason"]) == truth["expected_quarantine"]
        assert ledger["reconciles"] is True


def test_every_quarantine_reason_of_the_contract_occurs(generated: LakehouseHome) -> None:
    reasons: set[str] = set()
    for ref in generated.landed_partitions():
        reasons |= set(read_partition(generated, "bronze", "quarantine", ref)["reason"])
    assert {
        "unreadable_file",
        "undecodable_utf8",
        "malformed_json",
        "not_an_object",
        "malformed_csv_row",
        "bad_timestamp",
        "bad_grade",
        "bad_max_grade",
        "grade_out_of_range",
        "duplicate_submission_id",
        "missing_field:answer_text",
        "bad_type:answer_text",
    } <= reasons


def test_consent_exclusions_match_each_students_expected_case(generated: LakehouseHome) -> None:
    for institution in generated.landed_institutions():
        students = pl.read_parquet(truth_root(generated.root) / institution / "students.parquet")
        refs = [r for r in generated.landed_partitions() if r.institution_id == institution]
        bronze = pl.concat(read_partition(generated, "bronze", "raw_submissions", r) for r in refs)
        consented = pl.concat(
            read_partition(generated, "bronze", "consented_submissions", r) for r in refs
        )
        expected_usable = set(
            students.filter(pl.col("exclusion_reason").is_null())["student_id"]
        ) - set(students.filter(pl.col("erasure_requested"))["student_id"])
        assert set(consented["student_id"]) == expected_usable & set(bronze["student_id"])
        assert consented.height < bronze.height


def test_erased_students_leave_no_trace_in_bronze(generated: LakehouseHome) -> None:
    info = json.loads((truth_root(generated.root) / "inst_000" / "institution.json").read_text())
    students = pl.read_parquet(truth_root(generated.root) / "inst_000" / "students.parquet")
    erased = students.filter(pl.col("erasure_requested"))["student_id"].to_list()
    assert erased, info
    refs = [r for r in generated.landed_partitions() if r.institution_id == "inst_000"]
    ledgers = [read_partition(generated, "gold", "partition_ledger", r) for r in refs]
    assert sum(ledger["erased"].item() for ledger in ledgers) > 0
    for ref in refs:
        bronze = read_partition(generated, "bronze", "raw_submissions", ref)
        quarantine = read_partition(generated, "bronze", "quarantine", ref)
        assert not bronze["student_id"].is_in(erased).any()
        assert not quarantine["raw_record"].str.contains_any(erased).fill_null(False).any()
