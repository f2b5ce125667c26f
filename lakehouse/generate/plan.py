"""One night's submissions as integer recipes: who answered what, how well, and what was planted.

Nothing here builds answer text; `text.py` does that per batch file, so a million-row night never
holds all its strings at once. Quality drives everything downstream: a better student keeps more
reference points, writes fewer fillers and gets a higher grade.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import numpy.typing as npt
import polars as pl

from lakehouse.generate.courses import GRADE_STEP, MAX_POINTS, QuestionTable
from lakehouse.generate.phrases import ANSWER_LANGUAGES
from lakehouse.generate.pii import DECOY_FORMS, PII_FORMS

JUNK_KINDS = ("none", "mash", "repeated", "empty", "short")
IST = timezone(timedelta(hours=5, minutes=30))


def _choose_track(
    question: npt.NDArray[np.int64], table: QuestionTable, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """The course language mostly; romanised Hindi for a fifth of answers where a question has it."""
    by_q = table.tracks_of_question()
    first = np.array([ts[0] for ts in by_q], dtype=np.int64)
    last = np.array([ts[-1] for ts in by_q], dtype=np.int64)
    alt = rng.random(len(question)) < 0.2
    return np.where(alt, last[question], first[question])


def plan_night(
    *,
    n: int,
    night: date,
    n_students: int,
    ability: npt.NDArray[np.float64],
    table: QuestionTable,
    n_openers: npt.NDArray[np.int64],
    n_fillers: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Integer recipe of `n` submissions; `n_openers`/`n_fillers` count phrases per answer language."""
    student = rng.integers(0, n_students, n)
    question = rng.integers(0, len(table.questions), n)
    track = _choose_track(question, table, rng)
    lang = np.array([ANSWER_LANGUAGES.index(x) for x in table.track_language], dtype=np.int64)[
        track
    ]
    quality = np.clip(ability[student] + rng.normal(0, 0.15, n), 0.02, 0.98)
    n_points = table.track_points[track]
    include = rng.random((n, MAX_POINTS)) < quality[:, None]
    include &= np.arange(MAX_POINTS)[None, :] < n_points[:, None]
    mask = (include * (1 << np.arange(MAX_POINTS))[None, :]).sum(axis=1)
    kept = include.sum(axis=1)
    fillers = rng.binomial(2, 0.7 * (1 - quality))
    fillers = np.where((kept == 0) & (fillers == 0), 1, fillers)
    filler_a = np.where(fillers >= 1, np.floor(rng.random(n) * n_fillers[lang]), -1).astype(
        np.int64
    )
    filler_b = np.where(fillers >= 2, np.floor(rng.random(n) * n_fillers[lang]), -1).astype(
        np.int64
    )
    opener = np.where(rng.random(n) < 0.5, np.floor(rng.random(n) * n_openers[lang]), -1).astype(
        np.int64
    )

    junk = rng.choice(len(JUNK_KINDS), n, p=[0.95, 0.012, 0.012, 0.01, 0.016])
    frame = pl.DataFrame(
        {
            "row": np.arange(n, dtype=np.int64),
            "student": student,
            "question": question,
            "track": track,
            "lang": lang,
            "mask": mask,
            "kept": kept,
            "filler_a": filler_a,
            "filler_b": filler_b,
            "opener": opener,
            "newline": rng.random(n) < 0.25,
            "lower": rng.random(n) < 0.1,
            "junk": junk,
            "junk_pick": rng.integers(0, 1 << 30, n),
            "repeat": rng.integers(8, 40, n),
            "quality": quality,
        }
    )
    frame = _copy_answers(frame, rng)
    return _grade_and_plant(frame, night=night, table=table, rng=rng)


def _copy_answers(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """About 4% of answers copy another answer to the same question (some exactly, some near)."""
    n = frame.height
    question = frame["question"].to_numpy()
    order = np.argsort(question, kind="stable")
    sorted_q = question[order]
    starts = np.searchsorted(sorted_q, question, side="left")
    ends = np.searchsorted(sorted_q, question, side="right")
    copier = (rng.random(n) < 0.04) & (ends - starts > 1)
    source = order[starts + np.floor(rng.random(n) * (ends - starts)).astype(np.int64)]
    source = np.where(copier, source, np.arange(n))
    copied = [
        "track",
        "lang",
        "mask",
        "kept",
        "filler_a",
        "filler_b",
        "opener",
        "newline",
        "lower",
        "junk",
        "junk_pick",
        "repeat",
    ]
    src = frame[copied].gather(source)
    near = copier & (rng.random(n) < 0.4)
    return frame.with_columns(
        *(src[c] for c in copied if c != "lower"),
        pl.Series("lower", src["lower"].to_numpy() ^ near),
        pl.Series("copied_from", np.where(copier, source, -1)),
    )


def _grade_and_plant(
    frame: pl.DataFrame, *, night: date, table: QuestionTable, rng: np.random.Generator
) -> pl.DataFrame:
    n = frame.height
    question = frame["question"].to_numpy()
    max_grade = table.max_grades[question]
    step = np.vectorize(GRADE_STEP.get)(max_grade).astype(np.float64)
    frac = frame["kept"].to_numpy() / table.track_points[frame["track"].to_numpy()]
    n_fill = (frame["filler_a"].to_numpy() >= 0).astype(int) + (frame["filler_b"].to_numpy() >= 0)
    score = (
        0.85 * frac + 0.15 * frame["quality"].to_numpy() - 0.06 * n_fill + rng.normal(0, 0.05, n)
    )
    junk = frame["junk"].to_numpy()
    score = np.where(junk > 0, rng.uniform(0, 0.08, n), score)
    grade = np.clip(np.round(np.clip(score, 0, 1) * max_grade / step) * step, 0, max_grade)
    graded = rng.random(n) >= 0.08
    band = np.digitize(grade / max_grade, [0.4, 0.75])
    has_feedback = graded & (rng.random(n) < 0.7)

    start = datetime(night.year, night.month, night.day, tzinfo=IST) - timedelta(days=1)
    epoch_us = int(start.timestamp() * 1_000_000)
    ts = epoch_us + rng.integers(0, 86_400 * 1_000_000, n)

    pii_form = np.full(n, -1, dtype=np.int64)
    n_pii = max(2 * len(PII_FORMS), int(0.06 * n))
    pii_rows = rng.choice(n, min(n_pii, n // 4), replace=False)
    pii_form[pii_rows] = rng.permutation(np.arange(len(pii_rows)) % len(PII_FORMS))
    decoy_form = np.full(n, -1, dtype=np.int64)
    n_decoy = max(2 * len(DECOY_FORMS), int(0.03 * n))
    decoy_rows = rng.choice(n, min(n_decoy, n // 8), replace=False)
    decoy_form[decoy_rows] = rng.permutation(np.arange(len(decoy_rows)) % len(DECOY_FORMS))
    feedback_name = has_feedback & (rng.random(n) < 0.12)

    return frame.with_columns(
        max_grade=pl.Series(max_grade),
        grade=pl.Series(np.where(graded, grade, np.nan)).fill_nan(None),
        max_grade_absent=pl.Series(~graded & (rng.random(n) < 0.5)),
        band=pl.Series(band),
        feedback_pick=pl.Series(np.where(has_feedback, rng.integers(0, 1 << 30, n), -1)),
        feedback_name=pl.Series(feedback_name),
        feedback_name_initial=pl.Series(rng.random(n) < 0.5),
        has_grader=pl.Series(graded & (rng.random(n) < 0.9)),
        declared_language=pl.Series(rng.random(n) < 0.8),
        submitted_us=pl.Series(ts),
        ts_format=pl.Series(rng.integers(0, 4, n)),
        pii_form=pl.Series(pii_form),
        pii_other_person=pl.Series(rng.random(n) < 0.3),
        pii_at_start=pl.Series(rng.random(n) < 0.3),
        decoy_form=pl.Series(decoy_form),
        extra=pl.Series(rng.random(n) < 0.05),
        person_pick=pl.Series(rng.integers(0, 1 << 30, n)),
    )
