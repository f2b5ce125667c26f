"""Recipes become contract records: every planted value sits in the field the truth names, ids
are per night and row, and answers are real text in their course's languages."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from lakehouse.contract import CONTRACT_FIELDS
from lakehouse.generate.bank_en import ENGLISH_COURSES
from lakehouse.generate.bank_indic import INDIC_COURSES
from lakehouse.generate.courses import QuestionTable
from lakehouse.generate.people import build_institution
from lakehouse.generate.plan import plan_night
from lakehouse.generate.text import NightContext, PhraseBank, materialise

NIGHT = date(2026, 1, 5)


def test_materialised_records_carry_the_planted_values() -> None:
    rng = np.random.default_rng(5)
    inst = build_institution(index=1, submissions_per_night=400, start_night=NIGHT, rng=rng)
    ctx = NightContext(
        institution=inst,
        table=QuestionTable(ENGLISH_COURSES + INDIC_COURSES),
        phrases=PhraseBank.load(None),
        night=NIGHT,
    )
    recipe = plan_night(
        n=400,
        night=NIGHT,
        n_students=inst.students.height,
        ability=rng.uniform(0.1, 0.9, inst.students.height),
        table=ctx.table,
        n_openers=ctx.phrases.opener_counts,
        n_fillers=ctx.phrases.filler_counts,
        rng=rng,
    )
    records, pii, decoys = materialise(recipe, ctx, rng)
    assert records.height == 400 and set(CONTRACT_FIELDS) <= set(records.columns)
    assert records["submission_id"].is_unique().all()
    assert records["submission_id"][0] == "sub-20260105-0000000"
    assert pii.height > 0 and decoys.height > 0
    by_id = records.select("submission_id", *{*pii["field"], *decoys["field"]})
    for truth in (pii, decoys):
        joined = truth.join(by_id, on="submission_id")
        found = joined.select(
            pl.struct("field", "value", *set(truth["field"]))
            .map_elements(lambda r: r["value"] in (r[r["field"]] or ""), return_dtype=pl.Boolean)
            .alias("found")
        )["found"]
        assert found.all()
    junk_free = records.join(
        recipe.filter(pl.col("junk") == 0).select(
            pl.format("sub-20260105-{}", pl.col("row").cast(pl.String).str.zfill(7)).alias(
                "submission_id"
            )
        ),
        on="submission_id",
    )
    assert (junk_free["answer_text"].str.len_chars() > 0).all()
