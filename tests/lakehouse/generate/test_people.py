"""Generated people: roll numbers match their institution's pattern, every consent case appears,
minors are minors by their birth date, and the roster lists every person once."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import polars as pl

from lakehouse.generate.people import (
    CONSENT_CASES,
    build_institution,
    roll_pattern,
    roster_frame,
    student_count,
)

START = date(2026, 1, 5)


def test_roll_numbers_follow_the_pattern_of_their_family() -> None:
    for index in range(6):
        inst = build_institution(
            index=index,
            submissions_per_night=200,
            start_night=START,
            rng=np.random.default_rng(index),
        )
        pattern = roll_pattern(index)
        assert re.fullmatch(pattern.regex.replace(r"\b", ""), pattern.example)
        rolls = inst.students["roll_number"]
        assert rolls.is_unique().all()
        assert rolls.str.contains(pattern.regex).all(), pattern.name
    assert {roll_pattern(i).name for i in range(3)} == {"vtu_usn", "year_branch", "vit_style"}


def test_every_consent_case_and_minors_by_birth_date() -> None:
    inst = build_institution(
        index=0, submissions_per_night=200, start_night=START, rng=np.random.default_rng(0)
    )
    students = inst.students
    assert students.height == student_count(200) == 60
    assert set(students["consent_case"]) == set(CONSENT_CASES)
    age_years = (pl.lit(START) - pl.col("date_of_birth")).dt.total_days() / 365.25
    ages = students.select(age=age_years, minor=pl.col("is_minor"))
    assert ages.filter(pl.col("minor"))["age"].max() < 18
    assert ages.filter(~pl.col("minor"))["age"].min() >= 18
    roster = roster_frame(inst)
    assert roster.columns == ["person_id", "role", "full_name", "date_of_birth", "name_devanagari"]
    assert roster["person_id"].is_unique().all()
    assert roster.filter(pl.col("role") == "student").height == students.height
