"""Rosters, roll-number patterns and consent for one institution.

Students, teachers and guardians get Indian names (with a Devanagari spelling, written to the roster's
optional `name_devanagari` column). Consent deliberately covers every case the consent step must
handle; `students` keeps, per student, the verdict that step should reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import polars as pl

from lakehouse.contract import ConsentStatus, ExclusionReason
from lakehouse.generate.names import GIVEN_NAMES, SURNAMES


@dataclass(frozen=True, slots=True)
class RollPattern:
    """A per-institution university roll number / USN format."""

    name: str
    regex: str
    example: str


_COLLEGE_CODES: Final = ("MS", "RV", "BM", "PE", "SJ")
_BRANCHES: Final = ("CS", "EC", "ME", "CV", "IS")
_YEARS: Final = ("21", "22", "23", "24")


def roll_pattern(institution_index: int) -> RollPattern:
    """Three families (VTU USN, year-first, VIT-style), varied by college code past the third."""
    family = institution_index % 3
    code = _COLLEGE_CODES[(institution_index // 3) % len(_COLLEGE_CODES)]
    if family == 0:
        return RollPattern(
            "vtu_usn", rf"\b1{code}2[1-4](?:CS|EC|ME|CV|IS)\d{{3}}\b", f"1{code}21CS042"
        )
    if family == 1:
        return RollPattern("year_branch", r"\b202[1-4]U(?:CS|EC|ME|CV|IS)\d{4}\b", "2023UCS1042")
    return RollPattern("vit_style", r"\b2[1-4]B(?:CS|EC|ME|CV|IS)\d{4}\b", "21BCS0042")


def _roll_numbers(institution_index: int, count: int, rng: np.random.Generator) -> list[str]:
    """Distinct roll numbers in the institution's pattern (at most 20,000)."""
    family = institution_index % 3
    code = _COLLEGE_CODES[(institution_index // 3) % len(_COLLEGE_CODES)]
    slots = rng.permutation(len(_YEARS) * len(_BRANCHES) * 1000)[:count]
    year_i, rest = np.divmod(slots, len(_BRANCHES) * 1000)
    branch_i, serial = np.divmod(rest, 1000)
    out: list[str] = []
    for y, b, s in zip(year_i.tolist(), branch_i.tolist(), serial.tolist(), strict=True):
        if family == 0:
            out.append(f"1{code}{_YEARS[y]}{_BRANCHES[b]}{s:03d}")
        elif family == 1:
            out.append(f"20{_YEARS[y]}U{_BRANCHES[b]}{1000 + s:04d}")
        else:
            out.append(f"{_YEARS[y]}B{_BRANCHES[b]}{s:04d}")
    return out


CONSENT_CASES: Final[dict[str, float]] = {
    "granted": 0.80,
    "withdrawn": 0.04,
    "pending": 0.04,
    "no_row": 0.03,
    "minor_with_guardian": 0.04,
    "minor_without_guardian": 0.03,
    "regranted": 0.01,  # two rows: withdrawn, later granted -> usable
    "revoked": 0.01,  # two rows: granted, later withdrawn -> not usable
}
_VERDICT: Final[dict[str, str | None]] = {
    "granted": None,
    "withdrawn": ExclusionReason.CONSENT_WITHDRAWN,
    "pending": ExclusionReason.CONSENT_PENDING,
    "no_row": ExclusionReason.NO_CONSENT_RECORD,
    "minor_with_guardian": None,
    "minor_without_guardian": ExclusionReason.MINOR_WITHOUT_GUARDIAN_CONSENT,
    "regranted": None,
    "revoked": ExclusionReason.CONSENT_WITHDRAWN,
}


@dataclass(frozen=True)
class Institution:
    """One institution's people. `students` columns: student_id, given, surname, given_dev,
    surname_dev, full_name, name_devanagari, roll_number, date_of_birth, is_minor, consent_case,
    exclusion_reason. `staff` holds teachers and guardians (person_id, role, full_name, ...)."""

    index: int
    institution_id: str
    students: pl.DataFrame
    teachers: pl.DataFrame
    guardians: pl.DataFrame
    consent: pl.DataFrame
    pattern: RollPattern


def student_count(submissions_per_night: int) -> int:
    return int(np.clip(submissions_per_night // 8, 60, 20_000))


def _names(rng: np.random.Generator, count: int) -> pl.DataFrame:
    g = rng.integers(0, len(GIVEN_NAMES), count)
    s = rng.integers(0, len(SURNAMES), count)
    return pl.DataFrame(
        {
            "given": [GIVEN_NAMES[i][0] for i in g],
            "surname": [SURNAMES[i][0] for i in s],
            "given_dev": [GIVEN_NAMES[i][1] for i in g],
            "surname_dev": [SURNAMES[i][1] for i in s],
        }
    ).with_columns(
        full_name=pl.concat_str("given", "surname", separator=" "),
        name_devanagari=pl.concat_str("given_dev", "surname_dev", separator=" "),
    )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_institution(
    *, index: int, submissions_per_night: int, start_night: date, rng: np.random.Generator
) -> Institution:
    """People and consent for one institution; every consent case appears at least once."""
    n = student_count(submissions_per_night)
    cases = list(CONSENT_CASES)
    counts = [max(1, round(CONSENT_CASES[c] * n)) for c in cases[1:]]
    case_of = np.array(
        ["granted"] * (n - sum(counts))
        + [c for c, k in zip(cases[1:], counts, strict=True) for _ in range(k)]
    )
    case_of = case_of[rng.permutation(n)]
    is_minor = np.isin(case_of, ["minor_with_guardian", "minor_without_guardian"])
    # Minors are 15 to 17 and a half on the first night (still minors a year of nights later:
    # consent compares the roster's birth date with `is_minor` on each night); adults 18 years
    # and a month to 24.
    age_days = np.where(
        is_minor,
        rng.integers(15 * 365, 17 * 365 + 180, n),
        rng.integers(18 * 365 + 30, 24 * 365, n),
    )
    dob = [start_night - timedelta(days=int(d)) for d in age_days]
    inst_id = f"inst_{index:03d}"
    students = _names(rng, n).with_columns(
        student_id=pl.Series([f"S{index:02d}{k:06d}" for k in range(n)]),
        roll_number=pl.Series(_roll_numbers(index, n, rng)),
        date_of_birth=pl.Series(dob, dtype=pl.Date),
        is_minor=pl.Series(is_minor),
        consent_case=pl.Series(case_of),
        exclusion_reason=pl.Series([_VERDICT[c] for c in case_of], dtype=pl.String),
    )
    teachers = _names(rng, 8).with_columns(
        person_id=pl.Series([f"T{index:02d}{k:04d}" for k in range(8)])
    )
    minors = students.filter(pl.col("is_minor"))
    guardian_names = _names(rng, minors.height)
    guardians = guardian_names.with_columns(
        surname=minors["surname"],
        surname_dev=minors["surname_dev"],
        person_id=pl.Series(
            [f"G{index:02d}{k:06d}" for k in range(minors.height)], dtype=pl.String
        ),
    ).with_columns(
        full_name=pl.concat_str("given", "surname", separator=" "),
        name_devanagari=pl.concat_str("given_dev", "surname_dev", separator=" "),
    )
    consent = _consent_rows(students, start_night=start_night, rng=rng)
    return Institution(index, inst_id, students, teachers, guardians, consent, roll_pattern(index))


def _consent_rows(
    students: pl.DataFrame, *, start_night: date, rng: np.random.Generator
) -> pl.DataFrame:
    """consent.csv rows. Two-row cases write the LATER row first, so file order cannot decide."""
    base = datetime(start_night.year, start_night.month, start_night.day) - timedelta(days=120)
    rows: list[dict[str, object]] = []
    ids = students["student_id"].to_list()
    minors = students["is_minor"].to_list()
    offsets = rng.integers(0, 90 * 24 * 3600, len(ids)).tolist()
    for sid, minor, case, off in zip(
        ids, minors, students["consent_case"].to_list(), offsets, strict=True
    ):
        when = base + timedelta(seconds=off)
        guardian = ("true" if case == "minor_with_guardian" else "false") if minor else None
        verified = guardian == "true"
        row = {
            "student_id": sid,
            "is_minor": "true" if minor else "false",
            "guardian_consent": guardian,
            # DPDP s.9: a guardian's consent is usable only once verified, by whom and when
            "verified_by": "school-office" if verified else None,
            "verified_at": _stamp(when - timedelta(days=2)) if verified else None,
        }
        if case == "no_row":
            continue
        if case in ("regranted", "revoked"):
            first, later = (
                (ConsentStatus.WITHDRAWN, ConsentStatus.GRANTED)
                if case == "regranted"
                else (ConsentStatus.GRANTED, ConsentStatus.WITHDRAWN)
            )
            rows.append(
                {**row, "status": str(later), "updated_at": _stamp(when + timedelta(days=20))}
            )
            rows.append({**row, "status": str(first), "updated_at": _stamp(when)})
            continue
        status = {"withdrawn": ConsentStatus.WITHDRAWN, "pending": ConsentStatus.PENDING}.get(
            case, ConsentStatus.GRANTED
        )
        rows.append({**row, "status": str(status), "updated_at": _stamp(when)})
    return pl.DataFrame(
        rows,
        schema={
            "student_id": pl.String,
            "is_minor": pl.String,
            "guardian_consent": pl.String,
            "status": pl.String,
            "updated_at": pl.String,
            "verified_by": pl.String,
            "verified_at": pl.String,
        },
    ).select(
        "student_id",
        "status",
        "is_minor",
        "guardian_consent",
        "updated_at",
        "verified_by",
        "verified_at",
    )


def roster_frame(inst: Institution) -> pl.DataFrame:
    """roster.csv: person_id,role,full_name,date_of_birth,name_devanagari (the last is optional)."""
    cols = ["person_id", "role", "full_name", "date_of_birth", "name_devanagari"]
    students = inst.students.select(
        pl.col("student_id").alias("person_id"),
        pl.lit("student").alias("role"),
        "full_name",
        pl.col("date_of_birth").cast(pl.String),
        "name_devanagari",
    )
    staff = [
        frame.select(
            "person_id",
            pl.lit(role).alias("role"),
            "full_name",
            pl.lit(None, pl.String).alias("date_of_birth"),
            "name_devanagari",
        )
        for frame, role in ((inst.teachers, "teacher"), (inst.guardians, "guardian"))
    ]
    return pl.concat([students, *staff]).select(cols)
