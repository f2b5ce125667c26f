"""Any Hugging Face sequence-classification reward model, given by a local folder.

The production reward model on the GPU cluster is such a folder (config, tokenizer, weights). Each
answer is scored as a (prompt = question, response = answer) pair, either as a text pair
(cross-encoders, BERT-style RMs) or through the tokenizer's chat template (decoder RMs). Logits
become scores in [0, 1] by a sigmoid, fixed-bound min-max, or the softmax probability of one label
(`HfRewardConfig`). Nothing is downloaded: the folder must hold everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lakehouse.reward.batching import length_sorted_batches, pad_batch
from lakehouse.reward.config import DevicePreference, HfRewardConfig
from lakehouse.reward.device import DevicePlan, resolve_device
from lakehouse.reward.features import text_column
from lakehouse.reward.fingerprint import folder_fingerprint

VERSION_PREFIX = "hf-"
INPUT_COLUMNS = ("question_text", "answer_text")


class HfRewardModel:
    """A sequence-classification reward model loaded once (per process or Ray actor)."""

    def __init__(
        self,
        *,
        path: Path,
        config: HfRewardConfig | None = None,
        device: DevicePreference = "auto",
    ) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a bar per load would flood the run's logs

        self.path = Path(path)
        if not (self.path / "config.json").is_file():
            raise FileNotFoundError(
                f"{self.path} is not a Hugging Face model folder (no config.json); give the local "
                "folder of a sequence-classification reward model"
            )
        self.config = config or HfRewardConfig()
        self.plan: DevicePlan = resolve_device(device)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(self.path)
        if self.tokenizer.pad_token_id is None:  # decoder RMs: pad with EOS (masked anyway)
            self.tokenizer.pad_token = self.tokenizer.eos_token
        model: Any = AutoModelForSequenceClassification.from_pretrained(
            self.path, dtype=self.plan.torch_dtype()
        )
        if model.config.pad_token_id is None:
            model.config.pad_token_id = self.tokenizer.pad_token_id
        self.model: Any = model.to(self.plan.device).eval()
        self.num_labels = int(self.model.config.num_labels)
        self.batch_size = self.plan.batch_size(
            cpu=self.config.cpu_batch_size, gpu=self.config.gpu_batch_size
        )
        fmt = self.config.input_format
        self.input_format = (
            ("chat" if getattr(self.tokenizer, "chat_template", None) else "pair")
            if fmt == "auto"
            else fmt
        )
        self.version: str = self.config.version or (
            VERSION_PREFIX + folder_fingerprint(self.path)[:16]
        )
        self.tokens_processed = 0

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        config: HfRewardConfig | None = None,
        device: DevicePreference = "auto",
    ) -> HfRewardModel:
        return cls(path=path, config=config, device=device)

    def _tokenise(self, prompts: list[str], responses: list[str]) -> dict[str, list[list[int]]]:
        limit = self.config.max_length
        if self.input_format == "pair":
            return dict(
                self.tokenizer(
                    prompts, responses, truncation="longest_first", max_length=limit, padding=False
                )
            )
        conversations = [
            [{"role": "user", "content": p}, {"role": "assistant", "content": r}]
            for p, r in zip(prompts, responses, strict=True)
        ]
        rendered = self.tokenizer.apply_chat_template(conversations, tokenize=False)
        return dict(
            self.tokenizer(
                rendered, truncation=True, max_length=limit, padding=False, add_special_tokens=False
            )
        )

    def logits(self, frame: pl.DataFrame) -> np.ndarray:
        """(rows, num_labels) float32 logits of (question_text, answer_text) per row."""
        import torch

        missing = [c for c in INPUT_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"the reward model needs columns {missing} that the frame lacks")
        out = np.zeros((frame.height, self.num_labels), dtype=np.float32)
        if frame.height == 0:
            return out
        encoded = self._tokenise(
            text_column(frame, "question_text"), text_column(frame, "answer_text")
        )
        lengths = np.fromiter((len(x) for x in encoded["input_ids"]), np.int64, frame.height)
        self.tokens_processed += int(lengths.sum())
        with torch.inference_mode():
            for rows in length_sorted_batches(lengths, batch_size=self.batch_size):
                inputs = pad_batch(
                    encoded, rows, pad_id=self.tokenizer.pad_token_id, device=self.plan.device
                )
                logits = self.model(**inputs).logits
                out[rows] = logits.to(torch.float32).cpu().numpy()
        return out

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        """rm_score in [0, 1] per row (see `HfRewardConfig.normalisation`)."""
        return logits_to_scores(self.logits(frame), config=self.config)


def logits_to_scores(logits: np.ndarray, *, config: HfRewardConfig) -> np.ndarray:
    """Per-row scores in [0, 1]; each row depends on its own logits only."""
    values = logits.astype(np.float64)
    if values.shape[1] >= 2:
        shifted = np.exp(values - values.max(axis=1, keepdims=True))
        probs = shifted / shifted.sum(axis=1, keepdims=True)
        return np.asarray(probs[:, config.positive_label], dtype=np.float64)
    single = values[:, 0]
    if config.normalisation == "minmax":
        low, high = config.logit_bounds
        if not high > low:
            raise ValueError(f"logit_bounds must be (low, high) with high > low, got {(low, high)}")
        return np.clip((single - low) / (high - low), 0.0, 1.0)
    return np.asarray(1.0 / (1.0 + np.exp(-single)), dtype=np.float64)
