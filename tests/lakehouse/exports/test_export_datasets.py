"""Each dataset's rules on hand-made answers (pure functions, no files)."""

from __future__ import annotations

import polars as pl

from lakehouse.exports import (
    EXPORT_COLUMNS,
    ExportConfig,
    answer_pool,
    critique_frame,
    dataset_tokens,
    pretrain_frame,
    reward_frame,
    sft_frame,
)
from tests.lakehouse.exports.conftest import (
    INST,
    N1,
    N2,
    answer,
    curated,
    sample_answers,
    scores,
    silver,
)

ERASED = pl.DataFrame({"institution_id": [INST], "student_pseudonym": ["p_student0001"]})


def _pool(frame: pl.DataFrame, **kwargs: object):
    return answer_pool(frame, curated=curated(frame), **kwargs)  # type: ignore[arg-type]


def _meta(frame: pl.DataFrame, field: str) -> list[object]:
    return frame.select(pl.col("metadata").struct.field(field)).to_series().to_list()


def test_pool_keeps_graded_answers_and_normalises_grades() -> None:
    pool = _pool(sample_answers())
    assert "s0030" not in pool.frame["submission_id"].to_list()  # ungraded
    row = pool.frame.filter(pl.col("submission_id") == "s0001").row(0, named=True)
    assert row["grade_fraction"] == 0.9
    steps = dict(zip(pool.funnel.frame()["step"], pool.funnel.frame()["removed"], strict=True))
    assert steps["graded (grade and max_grade set)"] == 1


def test_sft_threshold_and_exact_duplicates_per_question() -> None:
    frame = sample_answers()
    no_floor = {"sft_min_response_chars": 0, "sft_min_response_words": 0}
    built = sft_frame(_pool(frame), ExportConfig(sft_min_grade_fraction=0.8, **no_floor))
    assert built.frame.columns == list(EXPORT_COLUMNS["sft"])
    ids = _meta(built.frame, "submission_id")
    fractions = _meta(built.frame, "grade_fraction")
    assert all(f >= 0.8 for f in fractions)  # type: ignore[operator]
    # 10, 9, 8.5 on Q1; 9, 8 on Q2; 9.5 (no feedback) and 9/8 of the same text: only the 9 stays
    assert sorted(ids) == sorted(["s0000", "s0001", "s0002", "s0020", "s0022", "s0031", "s0032"])
    assert "s0033" not in ids
    assert built.frame["prompt"][0] == frame["question_text"][0]
    # a lower threshold admits more
    looser = sft_frame(_pool(frame), ExportConfig(sft_min_grade_fraction=0.5, **no_floor))
    assert looser.rows > built.rows
    assert set(built.sources["role"]) == {"response"}
    assert built.sources.height == built.rows


def test_reward_has_normalised_grade_and_rm_score_and_skips_unscored() -> None:
    frame = sample_answers()
    scored = scores(frame.filter(pl.col("night") == N1))
    built = reward_frame(_pool(frame, reward_scores=scored), ExportConfig())
    assert built.frame.columns == list(EXPORT_COLUMNS["reward"])
    assert set(_meta(built.frame, "night")) == {N1}
    assert built.frame["reward"].is_between(0, 1).all()
    assert built.frame["rm_score"].is_between(0, 1).all()
    assert set(_meta(built.frame, "rm_model_version")) == {"rm-v1"}
    funnel = built.funnel.frame()
    skipped = funnel.filter(pl.col("step") == "scored by the reward model")["removed"].item()
    graded_n2 = frame.filter((pl.col("night") == N2) & pl.col("grade").is_not_null()).height
    assert skipped == graded_n2
    row = built.frame.filter(pl.col("metadata").struct.field("submission_id") == "s0001")
    assert row["reward"].item() == 0.9


def test_critique_needs_feedback() -> None:
    built = critique_frame(_pool(sample_answers()), ExportConfig())
    assert built.frame.columns == list(EXPORT_COLUMNS["critique"])
    ids = _meta(built.frame, "submission_id")
    assert "s0031" not in ids  # no feedback
    assert built.frame["feedback"].str.starts_with("Feedback").all()
    assert built.frame["grade"].is_between(0, 1).all()


def test_pretrain_uses_kept_documents_with_question_context() -> None:
    frame = sample_answers()
    docs = curated(frame, dropped={"s0003": "perplexity", "s0004": "minhash_dedup"})
    built = pretrain_frame(docs, ExportConfig())
    assert built.frame.columns == list(EXPORT_COLUMNS["pretrain"])
    ids = built.frame["id"].to_list()
    assert f"{INST}/s0003" not in ids and f"{INST}/s0004" not in ids
    assert f"{INST}/s0030" in ids  # ungraded answers are still text for pretraining
    # "Same text." and "same   TEXT." are one document
    assert (f"{INST}/s0032" in ids) != (f"{INST}/s0033" in ids)
    first = built.frame.row(0, named=True)
    assert (
        first["text"].startswith("Explain the difference") and "\n\nAnswer number" in first["text"]
    )
    assert first["source"] == "homework"
    assert first["added"] in {"2026-01-05", "2026-01-06"}
    assert first["created"].endswith("Z")
    steps = dict(zip(built.funnel.frame()["step"], built.funnel.frame()["removed"], strict=True))
    assert steps["filter chain: perplexity"] == 1 and steps["filter chain: minhash_dedup"] == 1
    assert list(steps)[1:3] == ["filter chain: perplexity", "filter chain: minhash_dedup"]
    assert built.frame["id"].is_unique().all()
    plain = pretrain_frame(docs, ExportConfig(pretrain_include_question=False))
    assert not plain.frame["text"].str.contains("Explain the difference").any()
    assert dataset_tokens(plain.frame, "pretrain") < dataset_tokens(built.frame, "pretrain")


def test_erased_students_never_appear() -> None:
    frame = sample_answers()
    pool = _pool(frame, erased=ERASED)
    built = [
        sft_frame(pool, ExportConfig(sft_min_grade_fraction=0.0)),
        critique_frame(pool, ExportConfig()),
        pretrain_frame(curated(frame), ExportConfig(), erased=ERASED),
    ]
    for item in built:
        assert "p_student0001" not in item.sources["student_pseudonym"].to_list()
        assert "s0001" not in item.sources["submission_id"].to_list()
        erased_step = item.funnel.frame().filter(pl.col("step") == "student not erased (audit)")
        assert erased_step["removed"].item() == 1


def test_no_pseudonym_in_any_export_row() -> None:
    frame = sample_answers()
    pool = _pool(frame, reward_scores=scores(frame))
    frames = [
        sft_frame(pool, ExportConfig()).frame,
        reward_frame(pool, ExportConfig()).frame,
        critique_frame(pool, ExportConfig()).frame,
        pretrain_frame(curated(frame), ExportConfig()).frame,
    ]
    for out in frames:
        text = out.with_columns(pl.col("metadata").struct.json_encode()).write_csv()
        assert "p_student" not in text and "p_grader" not in text


def test_tokens_count_words_of_any_script() -> None:
    frame = silver([answer(1, question_text="क्या है?", answer_text="TCP एक प्रोटोकॉल है", grade=10.0)])
    built = sft_frame(_pool(frame), ExportConfig(sft_min_response_chars=10))
    assert dataset_tokens(built.frame, "sft") == 2 + 4
    assert built.sources["tokens"].to_list() == [4]
