"""A night's integer recipe: deterministic for a seed, better students get better grades, and
every planted PII and decoy form is present."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from lakehouse.generate.bank_en import ENGLISH_COURSES
from lakehouse.generate.courses import QuestionTable
from lakehouse.generate.phrases import ANSWER_LANGUAGES
from lakehouse.generate.pii import DECOY_FORMS, PII_FORMS
from lakehouse.generate.plan import plan_night


def _plan(seed: int, n: int = 2_000) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    ability = np.linspace(0.05, 0.95, 100)
    counts = np.full(len(ANSWER_LANGUAGES), 5, dtype=np.int64)
    return plan_night(
        n=n,
        night=date(2026, 1, 5),
        n_students=100,
        ability=ability,
        table=QuestionTable(ENGLISH_COURSES),
        n_openers=counts,
        n_fillers=counts,
        rng=rng,
    )


def test_same_seed_same_recipe() -> None:
    assert_frame_equal(_plan(1), _plan(1))
    assert not _plan(1).equals(_plan(2))


def test_grades_rise_with_ability_and_stay_in_range() -> None:
    recipe = _plan(3)
    graded = recipe.filter(pl.col("grade").is_not_null() & (pl.col("junk") == 0))
    assert ((graded["grade"] >= 0) & (graded["grade"] <= graded["max_grade"])).all()
    share = graded.select(
        strong=pl.col("student") >= 50, share=pl.col("grade") / pl.col("max_grade")
    )
    by_half = share.group_by("strong").agg(pl.col("share").mean()).sort("strong")
    assert by_half["share"][1] > by_half["share"][0] + 0.2


def test_every_pii_and_decoy_form_is_planted() -> None:
    recipe = _plan(4)
    assert set(recipe.filter(pl.col("pii_form") >= 0)["pii_form"]) == set(range(len(PII_FORMS)))
    decoys = set(recipe.filter(pl.col("decoy_form") >= 0)["decoy_form"])
    assert decoys == set(range(len(DECOY_FORMS)))
    copied = recipe.filter(pl.col("copied_from") >= 0)
    assert 0 < copied.height < 0.1 * recipe.height
