"""The generator end to end (`lakehouse.generate.landing.generate_home`): byte-identical for a
seed, every format and defect in every night, truth counts that an independent reader confirms,
planted PII, consent cases and grades that follow answer quality."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from generate_reference_reader import read_night

from lakehouse.generate import generate_home
from lakehouse.generate.pii import aadhaar_digits
from lakehouse.pii.verhoeff import check_digits, is_valid_number

NIGHT = "2026-01-05"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("home")
    generate_home(home=root, institutions=2, nights=2, submissions_per_night=300, seed=3)
    return root


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    args = {"institutions": 1, "nights": 1, "submissions_per_night": 120}
    generate_home(home=tmp_path / "a", seed=5, **args)
    generate_home(home=tmp_path / "b", seed=5, **args)
    generate_home(home=tmp_path / "c", seed=6, **args)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_every_format_in_every_night(home: Path) -> None:
    for night in (home / "landing").glob("inst_*/2026-*"):
        names = [p.name for p in night.iterdir()]
        for suffix in (".jsonl", ".jsonl.gz", ".csv", ".parquet"):
            assert any(
                (n.endswith(suffix) and not n.endswith(".jsonl.gz"))
                or (suffix == ".jsonl.gz" and n.endswith(suffix))
                for n in names
            ), suffix


def test_truth_counts_match_an_independent_reading(home: Path) -> None:
    for night in sorted((home / "landing").glob("inst_*/2026-*")):
        inst, date = night.parent.name, night.name
        expected = json.loads((home / "_truth" / inst / date / "expected.json").read_text())
        landed, reasons, accepted = read_night(night)
        assert landed == expected["landed"]
        assert dict(reasons) == expected["expected_quarantine"]
        assert len(accepted) == expected["accepted"]
        assert expected["landed"] == expected["accepted"] + sum(
            expected["expected_quarantine"].values()
        )


def test_one_night_holds_every_defect(tmp_path: Path) -> None:
    generate_home(home=tmp_path, institutions=1, nights=1, submissions_per_night=100)
    reasons = json.loads((tmp_path / "_truth/inst_000" / NIGHT / "expected.json").read_text())[
        "expected_quarantine"
    ]
    wanted = {
        "unreadable_file", "undecodable_utf8", "malformed_json", "not_an_object", "malformed_csv_row",
        "bad_type:answer_text", "missing_field:answer_text", "missing_field:student_id",
        "missing_field:submission_id", "missing_field:submitted_at", "bad_timestamp", "bad_grade",
        "bad_max_grade", "missing_field:max_grade", "grade_out_of_range", "duplicate_submission_id",
    }  # fmt: skip
    assert wanted <= set(reasons)
    assert reasons["unreadable_file"] == 2
    assert reasons["undecodable_utf8"] >= 2


def test_planted_pii_is_in_accepted_records(home: Path) -> None:
    night = home / "landing/inst_000" / NIGHT
    _, _, accepted = read_night(night)
    by_id = {r["submission_id"]: r for r in accepted}
    pii = pl.read_parquet(home / "_truth/inst_000" / NIGHT / "planted_pii.parquet")
    assert set(pii["entity_type"]) == {
        "PERSON",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "IN_AADHAAR",
        "IN_PAN",
        "ROLL_NUMBER",
    }
    for sub, field, _, value in pii.iter_rows():
        assert value in by_id[sub][field]
    aadhaar = pii.filter(pl.col("entity_type") == "IN_AADHAAR")["value"]
    assert all(is_valid_number(v) for v in aadhaar)
    pans = pii.filter(pl.col("entity_type") == "IN_PAN")["value"]
    assert all(re.fullmatch(r"[A-Z]{3}[PCHFATBLJG][A-Z]\d{4}[A-Z]", v) for v in pans)
    regex = json.loads((home / "_truth/inst_000/institution.json").read_text())["roll_number_regex"]
    rolls = pii.filter(pl.col("entity_type") == "ROLL_NUMBER")["value"]
    assert all(re.search(regex, v) for v in rolls)
    roster = pl.read_csv(home / "landing/inst_000/roster.csv")
    names = set(roster["full_name"]) | set(roster["name_devanagari"])
    full = pii.filter((pl.col("entity_type") == "PERSON") & pl.col("value").is_in(list(names)))
    assert full.height > 0


def test_decoys_are_not_valid_aadhaar(home: Path) -> None:
    decoys = pl.read_parquet(home / "_truth/inst_000" / NIGHT / "decoys.parquet")
    twelve = decoys.filter(pl.col("decoy_type").str.starts_with("invalid_aadhaar"))["value"]
    assert twelve.len() > 0
    assert not any(is_valid_number(v) for v in twelve)


def test_verhoeff_matches_known_values() -> None:
    assert check_digits(np.array([[2, 3, 6]]))[0] == 3
    assert is_valid_number("2363") and not is_valid_number("2364")
    rng = np.random.default_rng(0)
    valid = aadhaar_digits(rng, 500, valid=True)
    invalid = aadhaar_digits(rng, 500, valid=False)
    assert all(is_valid_number("".join(map(str, row))) for row in valid)
    assert not any(is_valid_number("".join(map(str, row))) for row in invalid)


def test_consent_and_erasure_cases(home: Path) -> None:
    consent = pl.read_csv(home / "landing/inst_000/consent.csv", infer_schema=False)
    students = pl.read_parquet(home / "_truth/inst_000/students.parquet")
    assert set(consent["status"]) == {"granted", "withdrawn", "pending"}
    assert (
        consent.filter(
            (pl.col("is_minor") == "true") & (pl.col("guardian_consent") == "false")
        ).height
        > 0
    )
    assert (
        consent.filter(
            (pl.col("is_minor") == "true") & (pl.col("guardian_consent") == "true")
        ).height
        > 0
    )
    twice = consent.group_by("student_id").len().filter(pl.col("len") > 1)["student_id"]
    assert twice.len() >= 2
    missing = set(students["student_id"]) - set(consent["student_id"])
    assert missing
    erasure = pl.read_csv(next((home / "landing/inst_000/erasure").glob("*.csv")))
    assert erasure.height >= 1
    _, _, accepted = read_night(home / "landing/inst_000" / NIGHT)
    assert set(erasure["student_id"]) <= {r["student_id"] for r in accepted}
    assert not (home / "landing/inst_001/erasure").exists()


def test_grades_follow_answer_quality(home: Path) -> None:
    _, _, accepted = read_night(home / "landing/inst_000" / NIGHT)
    frame = pl.DataFrame(
        {
            "frac": [
                float(r["grade"]) / float(r["max_grade"]) if r.get("grade") is not None else None
                for r in accepted
            ],
            "ref": [r.get("reference_answer") or "" for r in accepted],
            "ans": [r["answer_text"] for r in accepted],
        }
    ).drop_nulls()
    overlap = [
        len(set(a.lower().split()) & set(b.lower().split())) / max(1, len(set(b.lower().split())))
        for a, b in zip(frame["ans"], frame["ref"], strict=True)
    ]
    corr = np.corrcoef(frame["frac"].to_numpy(), np.array(overlap))[0, 1]
    assert corr > 0.5
    languages = {r.get("language") for r in accepted}
    assert {"en", "hi", "kn", "ta"} <= languages
    assert any(r["answer_text"] == "" for r in accepted)
