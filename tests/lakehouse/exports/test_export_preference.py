"""Preference pairs: margin, ties, same student, near duplicates, reuse cap, determinism."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from lakehouse.exports import EXPORT_COLUMNS, ExportConfig, answer_pool, preference_frame
from tests.lakehouse.exports.conftest import INST, answer, curated, silver


def _pairs(frame: pl.DataFrame, config: ExportConfig | None = None, clusters=None):
    """Pairs of `frame`; these rule tests use questions of 2 answers, so any question pairs."""
    pool = answer_pool(frame, curated=curated(frame, clusters=clusters))
    config = replace(config or ExportConfig(), preference_min_answers_per_question=2)
    return preference_frame(pool, config)


def _ids(built) -> list[tuple[str, str]]:
    m = built.frame.select(
        pl.col("metadata").struct.field("chosen_submission_id"),
        pl.col("metadata").struct.field("rejected_submission_id"),
    )
    return list(m.iter_rows())


def test_chosen_is_better_by_margin_and_ties_never_pair() -> None:
    # halves (9, 8) vs (8, 7.5): 9-8 and 8-7.5 miss 0.2, then 9-7.5 misses and 8-8 is a tie
    frame = silver([answer(i, grade=g) for i, g in enumerate([9.0, 8.0, 8.0, 7.5])])
    assert _pairs(frame).rows == 0
    frame = silver([answer(i, grade=g) for i, g in enumerate([10.0, 9.0, 5.0, 2.0])])
    built = _pairs(frame, ExportConfig(preference_min_margin=0.3))
    assert built.frame.columns == list(EXPORT_COLUMNS["preference"])
    assert sorted(_ids(built)) == [
        ("s0000", "s0002"),
        ("s0000", "s0003"),
        ("s0001", "s0002"),
        ("s0001", "s0003"),
    ]
    assert (built.frame["chosen_grade"] - built.frame["rejected_grade"] >= 0.3).all()
    # 0.7 - 0.5 is 0.19999999999999996 in floating point and still meets a 0.2 margin
    frame = silver([answer(0, grade=7.0), answer(1, grade=5.0)])
    assert _ids(_pairs(frame)) == [("s0000", "s0001")]


def test_pairs_need_different_students_same_question() -> None:
    frame = silver(
        [
            answer(0, grade=10.0, student_pseudonym="p_same"),
            answer(1, grade=2.0, student_pseudonym="p_same"),
            answer(2, grade=10.0, question_id="Q2"),
            answer(3, grade=1.0, question_id="Q3"),
        ]
    )
    built = _pairs(frame)
    assert built.rows == 0
    steps = dict(zip(built.funnel.frame()["step"], built.funnel.frame()["removed"], strict=True))
    assert steps["by different students"] == 1


def test_near_duplicates_are_excluded() -> None:
    frame = silver(
        [
            answer(0, grade=10.0, answer_text="TCP is reliable."),
            answer(1, grade=2.0, answer_text="tcp   is RELIABLE."),
            answer(2, grade=9.0),
            answer(3, grade=1.0),
        ]
    )
    # halves (0, 2) vs (1, 3); round 0: 0-1 (equal text), 2-3; round 1: 0-3, 2-1
    assert sorted(_ids(_pairs(frame))) == [
        ("s0000", "s0003"),
        ("s0002", "s0001"),
        ("s0002", "s0003"),
    ]
    same_cluster = {"s0003": f"{INST}/s0002"}
    assert ("s0002", "s0003") not in _ids(_pairs(frame, clusters=same_cluster))


def test_no_answer_in_more_than_max_pairs() -> None:
    grades = [10.0 - 0.3 * i for i in range(30)]
    frame = silver(
        [answer(i, grade=g, answer_text=f"distinct answer {i}") for i, g in enumerate(grades)]
    )
    for k in (1, 2, 3):
        built = _pairs(
            frame, ExportConfig(preference_max_pairs_per_answer=k, preference_min_margin=0.05)
        )
        uses = built.sources.group_by("submission_id").len()["len"]
        assert uses.max() <= k
        assert built.rows > 0
        assert len(set(_ids(built))) == built.rows
        assert (built.frame["chosen_grade"] > built.frame["rejected_grade"]).all()
    two = _pairs(frame, ExportConfig(preference_max_pairs_per_answer=2, preference_min_margin=0.02))
    assert two.rows == 30  # 15 top answers x 2 rounds; the smallest gap (rank 14 vs 15) is 0.03
    roles = two.sources.group_by("role").len().sort("role")
    assert roles["len"].to_list() == [30, 30]


def test_pairs_are_deterministic_whatever_the_input_order() -> None:
    grades = [10.0, 9.0, 8.0, 6.0, 5.0, 4.0, 2.0, 1.0, 0.0]
    frame = silver([answer(i, grade=g) for i, g in enumerate(grades)])
    a = _pairs(frame).frame
    b = _pairs(frame.reverse()).frame
    c = _pairs(frame.sample(fraction=1.0, shuffle=True, seed=5)).frame
    assert a.equals(b) and a.equals(c)
