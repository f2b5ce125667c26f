"""`generate_home`: a whole synthetic landing zone (rosters, consent, erasure, nights) plus truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from lakehouse.generate.bank_en import ENGLISH_COURSES
from lakehouse.generate.bank_indic import INDIC_COURSES
from lakehouse.generate.courses import QuestionTable
from lakehouse.generate.night import MIN_MALFORMED_ROWS, NightSummary, write_night
from lakehouse.generate.people import CONSENT_CASES, Institution, build_institution, roster_frame
from lakehouse.generate.text import NightContext, PhraseBank
from lakehouse.home import LakehouseHome, PartitionRef


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """What was written: one entry per partition (institution x night)."""

    home: Path
    partitions: tuple[NightSummary, ...]

    @property
    def landed(self) -> int:
        return sum(p.landed for p in self.partitions)

    @property
    def accepted(self) -> int:
        return sum(p.accepted for p in self.partitions)

    @property
    def quarantined(self) -> int:
        return sum(p.quarantined for p in self.partitions)


def generate_home(
    *,
    home: Path,
    institutions: int = 3,
    nights: int = 3,
    submissions_per_night: int = 200,
    seed: int = 0,
    start_night: date = date(2026, 1, 5),
    malformed: bool = True,
    corpus_dir: Path | None = None,
) -> GenerationSummary:
    """Write `landing/` and `_truth/` under `home` (see shared/CONTRACT.md for the landing layout).

    The same arguments always give byte-identical files. `corpus_dir` (e.g. ../shared/data beside the project)
    adds FLORES-200 sentences as off-topic padding; without it only built-in phrase banks are used.
    With `malformed`, every night carries every kind of defect, so needs at least 50 submissions.
    """
    if malformed and submissions_per_night < MIN_MALFORMED_ROWS:
        raise ValueError(f"malformed=True needs submissions_per_night >= {MIN_MALFORMED_ROWS}")
    if institutions < 1 or nights < 1 or submissions_per_night < 1:
        raise ValueError("institutions, nights and submissions_per_night must be positive")
    layout = LakehouseHome(Path(home))
    table = QuestionTable(ENGLISH_COURSES + INDIC_COURSES)
    phrases = PhraseBank.load(corpus_dir)
    summaries: list[NightSummary] = []
    for index in range(institutions):
        inst = build_institution(
            index=index,
            submissions_per_night=submissions_per_night,
            start_night=start_night,
            rng=np.random.default_rng([seed, index, 7]),
        )
        _write_people(layout, inst)
        for k in range(nights):
            night = start_night + timedelta(days=k)
            ref = PartitionRef(inst.institution_id, night)
            summaries.append(
                write_night(
                    ctx=NightContext(inst, table, phrases, night),
                    night_index=k,
                    n=submissions_per_night,
                    seed=seed,
                    with_malformed=malformed,
                    night_dir=layout.night_dir(ref),
                    truth_dir=truth_root(layout.root) / inst.institution_id / night.isoformat(),
                )
            )
        erased = _write_erasure(layout, inst, start_night) if index == 0 else []
        _write_institution_truth(layout.root, inst, erased)
    return GenerationSummary(layout.root, tuple(summaries))


def truth_root(home: Path) -> Path:
    """Where the answers live: outside `landing/`, so the pipeline never reads them as input."""
    return home / "_truth"


def _write_people(layout: LakehouseHome, inst: Institution) -> None:
    folder = layout.institution_dir(inst.institution_id)
    folder.mkdir(parents=True, exist_ok=True)
    roster_frame(inst).write_csv(layout.roster_csv(inst.institution_id))
    inst.consent.write_csv(layout.consent_csv(inst.institution_id))


def _write_erasure(layout: LakehouseHome, inst: Institution, start_night: date) -> list[str]:
    """Two students with granted consent who certainly have records on the first night."""
    night_students = _first_night_students(layout, inst, start_night)
    granted = inst.students.filter(pl.col("consent_case") == "granted")["student_id"].to_list()
    chosen = [s for s in granted if s in night_students][:2]
    requested = datetime.combine(start_night, time(9, 30), tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "student_id": chosen,
            "requested_at": [requested.strftime("%Y-%m-%dT%H:%M:%SZ")] * len(chosen),
        }
    )
    folder = layout.erasure_dir(inst.institution_id)
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_csv(folder / f"{start_night.isoformat()}.csv")
    return chosen


def _first_night_students(layout: LakehouseHome, inst: Institution, night: date) -> set[str]:
    folder = layout.night_dir(PartitionRef(inst.institution_id, night))
    found: set[str] = set()
    for path in sorted(folder.glob("*.parquet")):
        try:
            found.update(pl.read_parquet(path, columns=["student_id"])["student_id"].to_list())
        except Exception:  # the deliberately corrupt file
            continue
    return found


def _write_institution_truth(home: Path, inst: Institution, erased: list[str]) -> None:
    folder = truth_root(home) / inst.institution_id
    folder.mkdir(parents=True, exist_ok=True)
    students = inst.students.with_columns(erasure_requested=pl.col("student_id").is_in(erased)).select(
        "student_id", "full_name", "name_devanagari", "roll_number", "date_of_birth", "is_minor",
        "consent_case", "exclusion_reason", "erasure_requested",
    )  # fmt: skip
    students.write_parquet(folder / "students.parquet", statistics=False)
    cases = students["consent_case"].value_counts().sort("consent_case")
    info = {
        "institution_id": inst.institution_id,
        "roll_number_pattern": inst.pattern.name,
        "roll_number_regex": inst.pattern.regex,
        "roll_number_example": inst.pattern.example,
        "roster_size": {
            "student": inst.students.height,
            "teacher": inst.teachers.height,
            "guardian": inst.guardians.height,
        },
        "consent_cases": {c: int(k) for c, k in cases.iter_rows() if c in CONSENT_CASES},
        "erasure_requested": erased,
        "roster_extra_columns": ["name_devanagari"],
    }
    (folder / "institution.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
