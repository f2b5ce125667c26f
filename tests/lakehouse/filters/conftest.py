from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tests.shared_data import FLORES, require


def _make_frame(
    texts: list[str],
    *,
    institution: str = "inst_a",
    night: dt.date = dt.date(2024, 1, 1),
    students: list[str] | None = None,
    question: str = "q1",
    grades: list[float | None] | None = None,
    prefix: str | None = None,
) -> pl.DataFrame:
    n = len(texts)
    tag = prefix or f"{institution}-{night.isoformat()}"
    return pl.DataFrame(
        {
            "submission_id": [f"{tag}-{i}" for i in range(n)],
            "institution_id": [institution] * n,
            "night": [night] * n,
            "course_id": ["cs101"] * n,
            "assignment_id": ["a1"] * n,
            "question_id": [question] * n,
            "student_pseudonym": students or [f"stu{i}" for i in range(n)],
            "question_text": ["Explain."] * n,
            "answer_text": texts,
            "grade": grades or [None] * n,
            "max_grade": [10.0] * n,
            "language": [None] * n,
        },
        schema_overrides={"grade": pl.Float64, "language": pl.String},
    )


@pytest.fixture(scope="session")
def flores() -> pl.DataFrame:
    return pl.read_csv(require(FLORES), separator="\t", quote_char=None)


@pytest.fixture
def make_frame():
    """Build a scrubbed-silver-shaped frame from answer texts."""
    return _make_frame
