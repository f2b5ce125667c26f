"""Courses and questions, flattened into the index tables the vectorised generator draws from.

An "answer track" is one question answered in one language (English physics answered in Hinglish is
its own track). Row generation only draws integers (track, which reference points, which opener,
which filler); `text.py` turns those integers into strings with polars gathers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

import numpy as np
import numpy.typing as npt

MAX_POINTS: Final = 6
"""The most reference points one question may list (the point mask is a small bit field)."""

GRADE_STEP: Final[dict[float, float]] = {1.0: 0.25, 5.0: 0.5, 10.0: 0.5, 20.0: 0.5, 100.0: 1.0}


@dataclass(frozen=True, slots=True)
class Question:
    """One question of an assignment; `answers` maps answer language to its reference points.

    The first language is the course's own: its points, joined, are the reference answer.
    """

    assignment: str
    number: str
    max_grade: float
    text: str
    answers: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Course:
    course_id: str
    title: str
    language: str
    questions: tuple[Question, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class QuestionTable:
    """Every question and answer track of a set of courses, as parallel arrays."""

    courses: tuple[Course, ...]

    @cached_property
    def questions(self) -> list[tuple[Course, Question]]:
        return [(c, q) for c in self.courses for q in c.questions]

    @cached_property
    def course_ids(self) -> list[str]:
        return [c.course_id for c, _ in self.questions]

    @cached_property
    def assignment_ids(self) -> list[str]:
        return [f"{c.course_id}-{q.assignment}" for c, q in self.questions]

    @cached_property
    def question_ids(self) -> list[str]:
        return [f"{c.course_id}-{q.assignment}-{q.number}" for c, q in self.questions]

    @cached_property
    def question_texts(self) -> list[str]:
        return [q.text for _, q in self.questions]

    @cached_property
    def reference_answers(self) -> list[str]:
        return [" ".join(next(iter(q.answers.values()))) for _, q in self.questions]

    @cached_property
    def course_languages(self) -> list[str]:
        return [c.language for c, _ in self.questions]

    @cached_property
    def max_grades(self) -> npt.NDArray[np.float64]:
        return np.array([q.max_grade for _, q in self.questions], dtype=np.float64)

    @cached_property
    def tracks(self) -> list[tuple[int, str, tuple[str, ...]]]:
        """(question index, answer language, points) for every answer track."""
        return [
            (qi, lang, points)
            for qi, (_, q) in enumerate(self.questions)
            for lang, points in q.answers.items()
        ]

    @cached_property
    def track_question(self) -> npt.NDArray[np.int64]:
        return np.array([qi for qi, _, _ in self.tracks], dtype=np.int64)

    @cached_property
    def track_language(self) -> list[str]:
        return [lang for _, lang, _ in self.tracks]

    @cached_property
    def track_points(self) -> npt.NDArray[np.int64]:
        return np.array([len(p) for _, _, p in self.tracks], dtype=np.int64)

    @cached_property
    def point_bank(self) -> list[str]:
        return [p for _, _, points in self.tracks for p in points]

    @cached_property
    def point_index(self) -> npt.NDArray[np.int64]:
        """(tracks, MAX_POINTS) index into `point_bank`, -1 past a track's last point."""
        index = np.full((len(self.tracks), MAX_POINTS), -1, dtype=np.int64)
        offset = 0
        for t, (_, _, points) in enumerate(self.tracks):
            index[t, : len(points)] = np.arange(offset, offset + len(points))
            offset += len(points)
        return index

    def tracks_of_question(self) -> list[list[int]]:
        by_question: list[list[int]] = [[] for _ in self.questions]
        for t, qi in enumerate(self.track_question):
            by_question[int(qi)].append(t)
        return by_question
