"""One valid record of the landing contract, for tests that plant a defect in it."""

from __future__ import annotations

from typing import Final

VALID_RECORD: Final[dict[str, str | float]] = {
    "submission_id": "s1",
    "student_id": "stu",
    "course_id": "cs101",
    "assignment_id": "a1",
    "question_id": "q1",
    "question_text": "Explain TCP.",
    "answer_text": "It is reliable.",
    "submitted_at": "2026-01-05T10:00:00Z",
    "grade": 7.0,
    "max_grade": 10.0,
}
