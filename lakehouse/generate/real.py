"""Lay the team's real public data sets (`../shared/data`) out as institutions in a landing zone.

Our generator encodes our own assumptions; these texts were written by nobody here, so a run over
them finds what the generator hides (ungraded institutions, 11 languages, names on no roster,
third-party PII, placeholders such as "No submission."). One institution per data set:

| institution | data set | graded | what it exercises |
|---|---|---|---|
| `real_saf` | SAF short answers with tutor feedback | yes (score / max_score) | reward, preference and critique exports, non-answers |
| `real_flores` | FLORES-200 sentences in 11 languages | no | language ID per script, per-language models |
| `real_gap` | GAP Wikipedia snippets | no | names that are on no roster, ISBNs, dates |
| `real_pii` | presidio-research's PII-laden sentences | no | every identifier type |

Rows are spread round-robin over `nights` consecutive nights. Students are synthetic ids (the
data sets carry none): SAF answers to one question come from different students, so preference
pairs can form. Every institution gets a `consent.csv` granting all its students, except that
the cases of the contract are planted on a few: a withdrawal, a pending consent, a minor without
guardian consent and a minor whose guardian's consent was verified; and `real_saf` gets an
erasure request. The same arguments always give byte-identical files.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef

SAF_FILE: Final = "saf_en_train.jsonl"
FLORES_FILE: Final = "flores200_dev_11lang.tsv"
GAP_FILE: Final = "gap_development.tsv"
PRESIDIO_FILE: Final = "presidio_generated_small.json"

STUDENTS_PER_INSTITUTION: Final = 40


@dataclass(frozen=True)
class RealInstitution:
    institution_id: str
    rows: int
    graded: bool
    erased_student: str | None
    """The student whose erasure request was planted, if any."""
    excluded_students: tuple[str, ...]
    """Students whose consent does not allow use (withdrawn, pending, minor without guardian)."""


def _saf(data_dir: Path) -> pl.DataFrame:
    saf = pl.read_ndjson(data_dir / SAF_FILE)
    return saf.select(
        question_id=pl.col("question_id").cast(pl.String),
        question_text=pl.col("question"),
        answer_text=pl.col("answer"),
        reference_answer=pl.col("reference_answer"),
        feedback=pl.col("feedback"),
        grade=pl.col("score").cast(pl.Float64),
        max_grade=pl.col("max_score").cast(pl.Float64),
        course_id=pl.lit("NET-SAF"),
    )


def _flores(data_dir: Path, per_language: int | None = None) -> pl.DataFrame:
    flores = pl.read_csv(data_dir / FLORES_FILE, separator="\t", quote_char=None)
    if per_language is not None:
        flores = flores.filter(pl.int_range(pl.len()).over("lang") < per_language)
    return flores.select(
        question_id=pl.lit("write-a-news-sentence-") + pl.col("lang"),
        question_text=pl.lit("Write one sentence of a news report in the language of the course."),
        answer_text=pl.col("text"),
        course_id=pl.lit("LANG-") + pl.col("lang"),
        true_language=pl.col("lang"),
    )


def _gap(data_dir: Path, limit: int) -> pl.DataFrame:
    gap = pl.read_csv(data_dir / GAP_FILE, separator="\t", quote_char=None).head(limit)
    return gap.select(
        question_id=pl.lit("biography-summary"),
        question_text=pl.lit("Summarise a passage of a biography in your own words."),
        answer_text=pl.col("Text"),
        course_id=pl.lit("ENG-BIO"),
    )


def _presidio(data_dir: Path) -> pl.DataFrame:
    records = json.loads((data_dir / PRESIDIO_FILE).read_text())
    return pl.DataFrame({"answer_text": [r["full_text"] for r in records]}).select(
        question_id=pl.lit("write-a-letter"),
        question_text=pl.lit("Write a short letter or note about a real-life errand."),
        answer_text=pl.col("answer_text"),
        course_id=pl.lit("ENG-LETTERS"),
    )


def _students(institution_id: str) -> list[str]:
    return [f"{institution_id}-s{i:03d}" for i in range(STUDENTS_PER_INSTITUTION)]


def _write_night_files(
    home: LakehouseHome, institution_id: str, frame: pl.DataFrame, *, start: date, nights: int
) -> None:
    students = _students(institution_id)
    n = frame.height
    # round-robin over students within a question, so one question's answers come from
    # different students (preference pairs form), and round-robin over nights
    rank = frame.with_row_index("_i").select(
        pl.col("_i"), _k=pl.int_range(pl.len()).over("question_id")
    )
    frame = frame.with_columns(
        submission_id=pl.format("{}-{}", pl.lit(institution_id), rank["_i"]),
        student_id=pl.Series([students[k % len(students)] for k in rank["_k"]]),
        assignment_id=pl.col("course_id") + pl.lit("-A1"),
        _night=pl.Series([i % nights for i in range(n)]),
    )
    for offset in range(nights):
        night = start + timedelta(days=offset)
        rows = frame.filter(pl.col("_night") == offset).drop(
            "_night", "true_language", strict=False
        )
        stamp = f"{night.isoformat()}T20:{offset:02d}:00+05:30"
        records = rows.with_columns(submitted_at=pl.lit(stamp)).to_dicts()
        folder = home.night_dir(PartitionRef(institution_id, night))
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "export.jsonl").open("w", encoding="utf-8") as out:
            for record in records:
                clean = {k: v for k, v in record.items() if v is not None}
                out.write(json.dumps(clean, ensure_ascii=False, sort_keys=True) + "\n")


def _write_people(home: LakehouseHome, institution_id: str, *, start: date) -> tuple[str, ...]:
    """roster.csv and consent.csv; returns the students whose consent does not allow use."""
    students = _students(institution_id)
    updated = (start - timedelta(days=30)).isoformat() + "T09:00:00+05:30"
    withdrawn, pending, minor_no_guardian, minor_verified = students[1:5]
    roster = home.roster_csv(institution_id)
    roster.parent.mkdir(parents=True, exist_ok=True)
    with roster.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["person_id", "role", "full_name"])
        # synthetic, unmistakable names: the real texts' people must be found without the roster
        writer.writerows(
            [s, "student", f"Student {s.rsplit('-', 1)[-1].upper()} Realdata"] for s in students
        )
    rows: list[dict[str, Any]] = []
    for student in students:
        row = {
            "student_id": student,
            "status": "granted",
            "is_minor": "false",
            "guardian_consent": "",
            "updated_at": updated,
            "verified_by": "",
            "verified_at": "",
        }
        if student == withdrawn:
            row["status"] = "withdrawn"
        elif student == pending:
            row["status"] = "pending"
        elif student == minor_no_guardian:
            row.update(is_minor="true", guardian_consent="false")
        elif student == minor_verified:
            row.update(
                is_minor="true",
                guardian_consent="true",
                verified_by="school-office",
                verified_at=updated,
            )
        rows.append(row)
    pl.DataFrame(rows).write_csv(home.consent_csv(institution_id))
    return (withdrawn, pending, minor_no_guardian)


def lay_out_real_data(
    *,
    data_dir: Path,
    home: LakehouseHome,
    start_night: date = date(2026, 1, 5),
    nights: int = 3,
    gap_rows: int = 300,
    saf_rows: int | None = None,
    flores_per_language: int | None = None,
) -> list[RealInstitution]:
    """Write `landing/` for the four real institutions over `nights` nights (see the module
    docstring); `gap_rows`, `saf_rows` and `flores_per_language` bound the larger sets (None:
    every row)."""
    saf = _saf(data_dir)
    if saf_rows is not None:
        saf = saf.head(saf_rows)
    sets = {
        "real_saf": saf,
        "real_flores": _flores(data_dir, flores_per_language),
        "real_gap": _gap(data_dir, gap_rows),
        "real_pii": _presidio(data_dir),
    }
    made: list[RealInstitution] = []
    for institution_id, frame in sets.items():
        excluded = _write_people(home, institution_id, start=start_night)
        _write_night_files(home, institution_id, frame, start=start_night, nights=nights)
        erased = None
        if institution_id == "real_saf":
            erased = _students(institution_id)[7]
            erasure = home.erasure_dir(institution_id)
            erasure.mkdir(parents=True, exist_ok=True)
            (erasure / f"{start_night.isoformat()}.csv").write_text(
                f"student_id,requested_at\n{erased},{start_night.isoformat()}T08:00:00Z\n"
            )
        made.append(
            RealInstitution(
                institution_id=institution_id,
                rows=frame.height,
                graded="grade" in frame.columns,
                erased_student=erased,
                excluded_students=excluded,
            )
        )
    return made


def flores_truth(data_dir: Path, *, per_language: int | None = None) -> pl.DataFrame:
    """`submission_id` -> true ISO 639-1 language of every `real_flores` answer (the same
    `per_language` bound as `lay_out_real_data`'s `flores_per_language`)."""
    flores = _flores(data_dir, per_language).with_row_index("_i")
    return flores.select(
        submission_id=pl.format("real_flores-{}", pl.col("_i")), language=pl.col("true_language")
    )
