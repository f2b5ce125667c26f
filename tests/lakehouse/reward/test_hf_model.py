"""Any Hugging Face sequence-classification RM by path: a tiny BERT built here, no download."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

from lakehouse.reward import HfRewardConfig, HfRewardModel, load_reward_model, score_frame
from lakehouse.reward.hf_model import logits_to_scores

WORDS = [
    "the",
    "a",
    "is",
    "of",
    "to",
    "and",
    "speed",
    "stone",
    "rest",
    "tcp",
    "udp",
    "reliable",
    "answer",
    "gravity",
    "water",
    "boils",
    "at",
]


def build_tiny_rm(folder: Path, *, num_labels: int = 1, chat_template: str | None = None) -> Path:
    """A 2-layer, 32-dim BERT classifier with a 40-entry WordPiece vocabulary, saved to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *"abcdefghijklmnopqrstuvwxyz"]
    vocab += [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizer(vocab_file=str(folder / "vocab.txt"))
    if chat_template:
        tokenizer.chat_template = chat_template
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=num_labels,
    )
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    return folder


def frame(n: int = 24) -> pl.DataFrame:
    answers = [" ".join(WORDS[: 1 + (i * 7) % len(WORDS)]) + f" {i}" for i in range(n)]
    return pl.DataFrame(
        {
            "submission_id": [f"s{i}" for i in range(n)],
            "institution_id": ["inst"] * n,
            "night": [date(2026, 1, 8)] * n,
            "question_text": ["what is the speed of the stone at rest"] * n,
            "answer_text": answers,
            "reference_answer": [None] * n,
        }
    )


@pytest.fixture(scope="module")
def tiny_rm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_rm(tmp_path_factory.mktemp("tiny_rm"))


def test_loads_by_path_and_scores_in_range(tiny_rm: Path) -> None:
    model = load_reward_model(path=tiny_rm, device="cpu")
    assert isinstance(model, HfRewardModel)
    assert model.version.startswith("hf-") and model.input_format == "pair"
    scores = model.score(frame())
    assert scores.shape == (24,) and scores.min() >= 0.0 and scores.max() <= 1.0
    assert np.ptp(scores) > 0  # the answers differ, so do their scores


def test_scores_are_deterministic_and_independent_of_batching(tiny_rm: Path) -> None:
    a = HfRewardModel.load(tiny_rm, device="cpu")
    b = HfRewardModel.load(tiny_rm, config=HfRewardConfig(cpu_batch_size=3), device="cpu")
    rows = frame()
    first = a.score(rows)
    assert np.array_equal(first, a.score(rows))
    assert a.version == b.version
    np.testing.assert_allclose(b.score(rows.reverse()), first[::-1], atol=1e-6)


def test_version_follows_the_weights(tiny_rm: Path, tmp_path: Path) -> None:
    other = build_tiny_rm(tmp_path / "other", num_labels=2)
    assert (
        HfRewardModel.load(other, device="cpu").version
        != load_reward_model(path=tiny_rm, device="cpu").version
    )
    fixed = HfRewardModel.load(tiny_rm, config=HfRewardConfig(version="rm-prod-7"), device="cpu")
    assert score_frame(frame(3), model=fixed)["rm_model_version"].to_list() == ["rm-prod-7"] * 3


def test_two_label_model_uses_the_positive_probability(tmp_path: Path) -> None:
    model = HfRewardModel.load(build_tiny_rm(tmp_path / "two", num_labels=2), device="cpu")
    logits = model.logits(frame(5))
    expected = np.exp(logits[:, 1]) / np.exp(logits).sum(axis=1)
    np.testing.assert_allclose(model.score(frame(5)), expected, rtol=1e-6)


def test_chat_template_is_used_when_the_tokenizer_has_one(tmp_path: Path) -> None:
    template = "{% for m in messages %}{{ m['content'] }} [SEP] {% endfor %}"
    model = HfRewardModel.load(
        build_tiny_rm(tmp_path / "chat", chat_template=template), device="cpu"
    )
    assert model.input_format == "chat"
    scores = model.score(frame(6))
    assert scores.shape == (6,) and np.all((scores >= 0) & (scores <= 1))


def test_logit_normalisations() -> None:
    logits = np.array([[-10.0], [0.0], [2.5], [10.0]])
    sig = logits_to_scores(logits, config=HfRewardConfig())
    np.testing.assert_allclose(sig[1], 0.5)
    minmax = logits_to_scores(
        logits, config=HfRewardConfig(normalisation="minmax", logit_bounds=(-5.0, 5.0))
    )
    np.testing.assert_allclose(minmax, [0.0, 0.5, 0.75, 1.0])
    with pytest.raises(ValueError, match="logit_bounds"):
        logits_to_scores(logits, config=HfRewardConfig(normalisation="minmax", logit_bounds=(1, 1)))


def test_not_a_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="neither a grade predictor"):
        load_reward_model(path=tmp_path)
