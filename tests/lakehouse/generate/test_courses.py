"""The question table: ids, reference answers and answer tracks line up, in every bank."""

from __future__ import annotations

import numpy as np

from lakehouse.generate.bank_en import ENGLISH_COURSES
from lakehouse.generate.bank_indic import INDIC_COURSES
from lakehouse.generate.courses import GRADE_STEP, MAX_POINTS, QuestionTable


def test_tracks_and_point_index_line_up() -> None:
    table = QuestionTable(ENGLISH_COURSES + INDIC_COURSES)
    n = len(table.questions)
    assert len(set(table.question_ids)) == n == len(table.reference_answers)
    assert all(
        q.startswith(a) for q, a in zip(table.question_ids, table.assignment_ids, strict=True)
    )
    for t, (_, _, points) in enumerate(table.tracks):
        picked = [table.point_bank[i] for i in table.point_index[t] if i >= 0]
        assert picked == list(points)
    assert (table.track_points <= MAX_POINTS).all() and (table.track_points >= 1).all()
    by_question = table.tracks_of_question()
    assert sorted(t for ts in by_question for t in ts) == list(range(len(table.tracks)))
    # the course's own language is each question's first track
    assert [table.track_language[ts[0]] for ts in by_question] == table.course_languages
    assert set(np.unique(table.max_grades)) <= set(GRADE_STEP)
