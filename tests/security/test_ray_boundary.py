"""Nothing but what scrubbing needs leaves the process for Ray workers (issue 15, point 5)."""

from __future__ import annotations

import polars as pl

from lakehouse.pii import Roster
from ray_jobs.scrub import for_workers

ROSTER = Roster.from_frame(
    pl.DataFrame(
        {
            "person_id": ["STU-0001", "STU-0002", "TCH-01"],
            "role": ["student", "student", "teacher"],
            "full_name": ["Meena Iyer", "Ravi Das", "Anil Rao"],
        }
    )
)
FRAME = pl.DataFrame(
    {
        "submission_id": ["s1", "s2", "s3"],
        "student_id": ["STU-0001", "STU-0002", None],
        "grader_id": ["TCH-01", "TCH-01", "TCH-01"],
        "answer_text": ["Meena here", "Ravi's answer", "anon"],
        "feedback": ["Good", None, "Fine"],
        "extra": ['{"phone": "98765 43210"}', None, None],
    }
)
RAW_IDS = {"STU-0001", "STU-0002", "TCH-01", "s1", "s2", "s3"}


def _values(frame: pl.DataFrame) -> set[str]:
    return {str(v) for col in frame.iter_columns() for v in col.to_list() if v is not None}


def test_workers_get_text_order_and_pseudonymous_authors_only() -> None:
    shipped, roster = for_workers(
        FRAME, roster=ROSTER, text_columns=["answer_text", "feedback"], author_column="student_id"
    )

    assert set(shipped.columns) == {"__ray_row", "answer_text", "feedback", "student_id"}
    on_the_wire = _values(shipped) | _values(roster.people) | _values(roster.variants)
    assert not on_the_wire & RAW_IDS
    assert "98765 43210" not in str(on_the_wire)
    # the author's pseudonym is the roster's pseudonym of the same person, so author-scoped
    # names are still found; a missing author stays missing
    by_name = dict(zip(roster.people["full_name"], roster.people["person_id"], strict=True))
    assert shipped["student_id"].to_list()[:2] == [by_name["Meena Iyer"], by_name["Ravi Das"]]
    assert shipped["student_id"][2] is None
    assert set(roster.variants["person_id"]) <= set(roster.people["person_id"])


def test_pseudonyms_differ_between_runs() -> None:
    first, _ = for_workers(
        FRAME, roster=ROSTER, text_columns=["answer_text"], author_column="student_id"
    )
    second, _ = for_workers(
        FRAME, roster=ROSTER, text_columns=["answer_text"], author_column="student_id"
    )
    assert first["student_id"][0] != second["student_id"][0]
