"""Consent (DPDP Act 2023 s.9) and erasure requests applied before scrubbing."""

from __future__ import annotations

import polars as pl
import pytest

from lakehouse.consent import load_consent, partitions_losing_consent
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from lakehouse.reference import ReferenceFileError
from lakehouse.stages.bronze import bronze_partition
from lakehouse.stages.consent import consent_partition
from tests.conftest import REF, WriteJsonl, record, write_consent


def _students(*ids: str) -> list[dict]:
    return [record(i, student_id=s) for i, s in enumerate(ids)]


@pytest.fixture
def landed(home: LakehouseHome, write_jsonl: WriteJsonl) -> LakehouseHome:
    write_jsonl(
        "a.jsonl",
        _students(
            "granted",
            "granted",
            "withdrawn",
            "pending",
            "minor_no",
            "minor_yes",
            "unknown",
            "nobody",
            "erased",
            "bogus",
        ),
    )
    bronze_partition(home=home, ref=REF)
    return home


def test_each_consent_case(landed: LakehouseHome) -> None:
    write_consent(
        landed,
        [
            "granted,granted,false,false,2026-01-01T00:00:00Z",
            "withdrawn,granted,false,false,2025-12-01T00:00:00Z",
            "withdrawn,withdrawn,false,false,2026-01-02T00:00:00Z",
            "pending,pending,false,false,2026-01-01T00:00:00Z",
            "minor_no,granted,true,false,2026-01-01T00:00:00Z",
            "minor_yes,granted,yes,true,2026-01-01T00:00:00Z,head.office,2025-12-20T10:00:00Z",
            "unknown,granted,maybe,false,2026-01-01T00:00:00Z",
            "erased,granted,false,false,2026-01-01T00:00:00Z",
            "bogus,sure,false,false,2026-01-01T00:00:00Z",
        ],
    )
    erasure = landed.erasure_dir(REF.institution_id)
    erasure.mkdir(parents=True)
    (erasure / "2026-01-03.csv").write_text(
        "student_id,requested_at\nerased,2026-01-03T00:00:00Z\n"
    )
    result = consent_partition(home=landed, ref=REF)
    consented = read_partition(landed, "bronze", "consented_submissions", REF)
    assert sorted(consented["student_id"]) == ["granted", "granted", "minor_yes"]
    assert result.consented_rows == 3
    assert result.excluded_by_reason == {
        "consent_invalid": 1,
        "consent_pending": 1,
        "consent_withdrawn": 1,
        "erasure_requested": 1,
        "minor_without_guardian_consent": 2,
        "no_consent_record": 1,
    }
    assert result.excluded + result.consented_rows == 10
    assert consented.columns == read_partition(landed, "bronze", "raw_submissions", REF).columns


def test_minors_need_verified_guardian_consent_and_a_birth_date_that_agrees(
    landed: LakehouseHome,
) -> None:
    """DPDP Act s.9: a guardian's consent counts only when the row says who verified it and
    when; a roster date of birth that contradicts `is_minor` on the night excludes the student."""
    write_consent(
        landed,
        [
            "granted,granted,false,false,2026-01-01T00:00:00Z",
            "minor_yes,granted,true,true,2026-01-01T00:00:00Z",  # not verified
            "minor_no,granted,true,true,2026-01-01T00:00:00Z,office,2025-12-20T10:00:00Z",
            "unknown,granted,false,false,2026-01-01T00:00:00Z",  # declared adult, born 2009
            "nobody,granted,true,true,2026-01-01T00:00:00Z,office,not a date",
            "bogus,granted,true,true,2026-01-01T00:00:00Z,office,2025-12-20T10:00:00Z",
        ],
    )
    roster = landed.roster_csv(REF.institution_id)
    roster.write_text(
        "person_id,role,full_name,date_of_birth\n"
        "granted,student,Asha Rao,2001-03-04\n"
        "minor_no,student,Ravi Kumar,2009-06-30\n"
        "unknown,student,Meena Iyer,2009-06-30\n"
        "bogus,student,Arjun Das,2007-01-05\n"  # 19 on the night, declared a minor
        "nobody,student,Lata Sen,\n"
    )
    result = consent_partition(home=landed, ref=REF)
    consented = read_partition(landed, "bronze", "consented_submissions", REF)
    assert sorted(consented["student_id"]) == ["granted", "granted", "minor_no"]
    assert result.excluded_by_reason == {
        "guardian_consent_unverified": 2,
        "minor_status_contradicts_date_of_birth": 2,
        "no_consent_record": 3,
    }


def test_without_a_consent_file_nobody_is_used(landed: LakehouseHome) -> None:
    result = consent_partition(home=landed, ref=REF)
    assert result.consented_rows == 0
    assert result.excluded_by_reason == {"no_consent_record": 10}


def test_unusable_consent_file_is_a_clear_error(landed: LakehouseHome) -> None:
    path = landed.consent_csv(REF.institution_id)
    path.write_text("student,status\nx,granted\n")
    with pytest.raises(ReferenceFileError, match="lacks the column\\(s\\) student_id, is_minor"):
        consent_partition(home=landed, ref=REF)
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ReferenceFileError, match="cannot read the consent file"):
        consent_partition(home=landed, ref=REF)


def test_load_consent_keeps_the_latest_row_per_student(home: LakehouseHome) -> None:
    write_consent(
        home,
        [
            "s1,granted,false,false,2026-02-01T00:00:00Z",
            "s1,withdrawn,false,false,2026-01-01T00:00:00Z",
            "s2,withdrawn,false,false,2026-01-01T00:00:00Z",
            "s2,granted,false,false,2026-01-01T00:00:00Z",
        ],
    )
    consent = load_consent(home.consent_csv(REF.institution_id)).sort("student_id")
    assert consent.select("student_id", "status").rows() == [("s1", "granted"), ("s2", "granted")]
    assert consent.schema["is_minor"] == pl.Boolean


def test_a_withdrawal_finds_exactly_the_partitions_that_used_the_student(
    landed: LakehouseHome,
) -> None:
    """Issue 16: a withdrawal is acted on like an erasure, for every night already processed."""
    rows = ["granted,granted,false,false,2026-01-01T00:00:00Z"]
    write_consent(landed, rows)
    consent_partition(home=landed, ref=REF)
    assert partitions_losing_consent(landed, REF.institution_id) == []
    write_consent(landed, [*rows, "granted,withdrawn,false,false,2026-02-01T00:00:00Z"])
    assert partitions_losing_consent(landed, REF.institution_id) == [REF]
    consent_partition(home=landed, ref=REF)  # the re-run the sensor asks for
    assert partitions_losing_consent(landed, REF.institution_id) == []
    assert read_partition(landed, "bronze", "consented_submissions", REF).is_empty()
    assert partitions_losing_consent(landed, "inst_never_ran") == []
