"""The cold-start reward model: similarity of an answer to the reference answer (or the question).

A grade predictor needs graded nights before the one it scores. The first nights of a new
lakehouse have none, and an answer must still get an `rm_score` without a model having seen its
grade. This model learns nothing: per row it averages the MiniLM cosine and the character n-gram
recall of the answer against the reference answer, or against the question where there is no
reference (the same features the grade predictor uses, `lakehouse.reward.features`). It ranks
answers that restate the expected content above those that do not, which is weak but honest;
its version (`rs-...`) is recorded on every row it scores so downstream datasets can tell.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Final

import numpy as np
import polars as pl

from lakehouse.atomic import atomic_dir
from lakehouse.reward.config import METADATA_FILE, DevicePreference, EncoderConfig
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.features import SCALAR_FEATURES, build_features, feature_width

SIMILARITY_KIND: Final = "reference_similarity"
VERSION_PREFIX: Final = "rs-"
_LEXICAL_BITS: Final = 18


def _column(name: str, dim: int) -> int:
    return feature_width(dim) - len(SCALAR_FEATURES) + SCALAR_FEATURES.index(name)


class ReferenceSimilarity:
    """rm_score = mean(clip(cos(answer, target), 0, 1), n-gram recall of target in answer), where
    target is the reference answer when the row has one, else the question."""

    def __init__(self, *, encoder: TextEncoder, path: Path | None = None) -> None:
        self.encoder = encoder
        self.path = path
        digest = hashlib.sha256(f"{SIMILARITY_KIND}\0{encoder.fingerprint}".encode())
        self.version: str = VERSION_PREFIX + digest.hexdigest()[:16]
        self.metadata: dict[str, Any] = {
            "kind": SIMILARITY_KIND,
            "version": self.version,
            "encoder": {
                "model_dir_name": encoder.model_dir.name,
                "fingerprint": encoder.fingerprint,
            },
            "note": "cold start: no graded history before this night; nothing was trained",
        }

    @classmethod
    def load(
        cls,
        path: Path,
        *,
        device: DevicePreference = "auto",
        encoder_config: EncoderConfig | None = None,
    ) -> ReferenceSimilarity:
        metadata = json.loads((Path(path) / METADATA_FILE).read_text())
        if metadata.get("kind") != SIMILARITY_KIND:
            raise ValueError(f"{path}: kind {metadata.get('kind')!r} is not {SIMILARITY_KIND!r}")
        model = cls(encoder=TextEncoder(config=encoder_config, device=device), path=Path(path))
        if model.version != metadata["version"]:
            raise ValueError(
                f"{path}: saved for encoder version {metadata['version']} but the installed "
                f"encoder gives {model.version}; install the encoder it was saved with"
            )
        return model

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        if frame.height == 0:
            return np.zeros(0, dtype=np.float64)
        features = build_features(frame, encoder=self.encoder, lexical_bits=_LEXICAL_BITS)
        dim = self.encoder.dim

        def col(name: str) -> np.ndarray:
            return np.asarray(features[:, _column(name, dim)], dtype=np.float64)

        has_reference = col("has_reference") > 0.5
        cosine = np.where(has_reference, col("cos_answer_reference"), col("cos_answer_question"))
        recall = np.where(has_reference, col("lex_recall_reference"), col("lex_recall_question"))
        return np.clip((np.clip(cosine, 0.0, 1.0) + np.clip(recall, 0.0, 1.0)) / 2.0, 0.0, 1.0)

    def save(self, output_root: Path) -> Path:
        """Save as `output_root/<version>/reward_model.json` (atomic, idempotent)."""
        final = Path(output_root) / self.version
        if (final / METADATA_FILE).is_file():
            return final
        with atomic_dir(final, replace=False) as staging:
            text = json.dumps(self.metadata, indent=2, sort_keys=True)
            (staging / METADATA_FILE).write_text(text)
        self.path = final
        return final
