from __future__ import annotations

import pytest

from lakehouse.exports import DATASETS, ExportConfig


def test_defaults_are_documented_values() -> None:
    c = ExportConfig()
    assert c.datasets == DATASETS == ("pretrain", "sft", "preference", "reward", "critique")
    assert c.pretrain_include_question is True
    assert c.sft_min_grade_fraction == 0.8
    assert c.preference_min_margin == 0.2
    assert c.preference_max_pairs_per_answer == 2
    assert c.shard_max_rows == 50_000
    assert (c.sft_min_response_chars, c.sft_min_response_words, c.sft_min_rm_score) == (25, 3, None)
    assert c.preference_min_answers_per_question == 4
    assert c.preference_max_non_answer_share == 0.0
    assert c.preference_prefer_same_grader is True
    assert c.critique_min_feedback_words == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sft_min_grade_fraction": 1.5}, "sft_min_grade_fraction"),
        ({"preference_min_margin": 0.0}, "preference_min_margin"),
        ({"preference_max_pairs_per_answer": 0}, "preference_max_pairs_per_answer"),
        ({"shard_max_rows": 0}, "shard_max_rows"),
        ({"sft_min_response_chars": -1}, "sft_min_response_chars"),
        ({"sft_min_rm_score": 2.0}, "sft_min_rm_score"),
        ({"preference_max_non_answer_share": 0.6}, "preference_max_non_answer_share"),
        ({"critique_min_feedback_words": 1.5}, "critique_min_feedback_words"),
        ({"shard_max_bytes": 0}, "shard_max_bytes"),
        ({"datasets": ("sft", "nope")}, "datasets"),
        ({"datasets": ()}, "datasets"),
        ({"datasets": ("sft", "sft")}, "datasets"),
        ({"pretrain_source": " "}, "pretrain_source"),
    ],
)
def test_invalid_values_are_clear_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExportConfig(**kwargs)  # type: ignore[arg-type]


def test_fingerprint_changes_with_any_setting() -> None:
    assert ExportConfig().fingerprint() == ExportConfig().fingerprint()
    assert ExportConfig().fingerprint() != ExportConfig(sft_min_grade_fraction=0.7).fingerprint()
