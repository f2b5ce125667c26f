"""Batching helpers, the RewardModel protocol and the `reward_scores` rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from lakehouse.reward import REWARD_SCORES_SCHEMA, RewardModel, score_frame
from lakehouse.reward.batching import length_sorted_batches, pad_batch
from lakehouse.reward.metrics import calibration_table, spearman


class Constant:
    def __init__(self, value: float) -> None:
        self.value = value
        self.version = "const-1"

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        return np.full(frame.height, self.value)


def rows(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "submission_id": [f"s{i}" for i in range(n)],
            "institution_id": ["i"] * n,
            "night": [date(2026, 1, 8)] * n,
            "answer_text": ["x"] * n,
        }
    )


def test_score_frame_schema_and_version() -> None:
    model = Constant(0.25)
    assert isinstance(model, RewardModel)
    out = score_frame(rows(4), model=model)
    assert out.schema == pl.Schema(REWARD_SCORES_SCHEMA)
    assert out["rm_score"].to_list() == [0.25] * 4
    assert score_frame(rows(0), model=model).height == 0


def test_out_of_range_scores_are_refused() -> None:
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        score_frame(rows(2), model=Constant(1.5))


def test_length_sorted_batches_cover_every_row_longest_first() -> None:
    lengths = np.array([5, 1, 9, 9, 3])
    batches = length_sorted_batches(lengths, batch_size=2)
    assert [b.tolist() for b in batches] == [[2, 3], [0, 4], [1]]
    with pytest.raises(ValueError):
        length_sorted_batches(lengths, batch_size=0)


def test_pad_batch_right_pads_with_a_mask() -> None:
    encoded = {"input_ids": [[1, 2, 3], [4], [5, 6]], "token_type_ids": [[0, 0, 1], [0], [0, 1]]}
    out = pad_batch(encoded, np.array([0, 2]), pad_id=0, device="cpu")
    assert out["input_ids"].tolist() == [[1, 2, 3], [5, 6, 0]]
    assert out["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert out["token_type_ids"].tolist() == [[0, 0, 1], [0, 1, 0]]


def test_metrics_edge_cases_and_calibration() -> None:
    assert spearman(np.array([0.1, 0.2]), np.array([0.3, 0.1])) is None
    assert spearman(np.ones(5), np.arange(5.0)) is None
    predicted = np.array([0.05, 0.15, 0.95, 0.9])
    table = calibration_table(predicted=predicted, human=np.array([0, 0.2, 1, 0.8]), bins=10)
    assert [b["rows"] for b in table] == [1, 1, 2]
    assert table[-1]["low"] == pytest.approx(0.9) and table[-1]["mean_human"] == pytest.approx(0.9)
