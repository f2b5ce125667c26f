"""The one interface every reward model has, the loader that picks the kind from a folder, and the
scoring of a frame into `reward_scores` rows."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

import numpy as np
import polars as pl

from lakehouse.reward.config import (
    METADATA_FILE,
    DevicePreference,
    EncoderConfig,
    HfRewardConfig,
)

KEY_COLUMNS: Final[tuple[str, ...]] = ("submission_id", "institution_id", "night")
SCORE_COLUMN: Final = "rm_score"
VERSION_COLUMN: Final = "rm_model_version"
REWARD_SCORES_SCHEMA: Final[dict[str, pl.DataType]] = {
    "submission_id": pl.String(),
    "institution_id": pl.String(),
    "night": pl.Date(),
    SCORE_COLUMN: pl.Float64(),
    VERSION_COLUMN: pl.String(),
}
"""The `reward_scores` table: one row per scrubbed answer, the version of the model per row."""

INPUT_COLUMNS: Final[tuple[str, ...]] = (
    *KEY_COLUMNS,
    "question_text",
    "answer_text",
    "reference_answer",
)
"""What scoring reads from `scrubbed_submissions` (a Parquet reader can read only these)."""


@runtime_checkable
class RewardModel(Protocol):
    """A reward model: a version id and `score(frame) -> rm_score` in [0, 1], one per row, in the
    frame's order. Implementations load their weights once, in their constructor."""

    @property
    def version(self) -> str: ...

    def score(self, frame: pl.DataFrame) -> np.ndarray: ...


def load_reward_model(
    *,
    path: Path,
    device: DevicePreference = "auto",
    hf_config: HfRewardConfig | None = None,
    encoder_config: EncoderConfig | None = None,
) -> RewardModel:
    """The reward model saved in `path`: a grade predictor folder (it holds `reward_model.json`)
    or a Hugging Face sequence-classification model folder (it holds `config.json`)."""
    from lakehouse.reward.grade_predictor import GradePredictor
    from lakehouse.reward.hf_model import HfRewardModel
    from lakehouse.reward.similarity import SIMILARITY_KIND, ReferenceSimilarity

    path = Path(path)
    if (path / METADATA_FILE).is_file():
        kind = json.loads((path / METADATA_FILE).read_text()).get("kind")
        if kind == SIMILARITY_KIND:
            return ReferenceSimilarity.load(path, device=device, encoder_config=encoder_config)
        return GradePredictor.load(path, device=device, encoder_config=encoder_config)
    if (path / "config.json").is_file():
        return HfRewardModel.load(path, config=hf_config, device=device)
    raise FileNotFoundError(
        f"{path} holds neither a grade predictor ({METADATA_FILE}) nor a Hugging Face model "
        "(config.json); give the folder of a trained model version"
    )


def use_stored_embeddings(model: RewardModel, rows: pl.DataFrame) -> int:
    """Give a MiniLM-based model the stored vectors in `rows` (`text_embeddings` rows), so scoring
    encodes only texts that have none; returns how many it took (0 for other kinds of model)."""
    from lakehouse.reward.embedding_store import stored_vectors
    from lakehouse.reward.encoder import TextEncoder

    encoder = getattr(model, "encoder", None)
    if not isinstance(encoder, TextEncoder) or rows.is_empty():
        return 0
    keys, vectors = stored_vectors(rows, encoder_fingerprint=encoder.fingerprint)
    encoder.remember(keys, vectors)
    return len(keys)


def score_frame(frame: pl.DataFrame, *, model: RewardModel) -> pl.DataFrame:
    """`reward_scores` rows (REWARD_SCORES_SCHEMA) for `frame`, in the frame's order.

    Examples
    --------
    >>> score_frame(scrubbed, model=load_reward_model(path=model_dir)).columns
    ['submission_id', 'institution_id', 'night', 'rm_score', 'rm_model_version']
    """
    missing = [c for c in KEY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"scoring needs key columns {missing} that the frame lacks")
    scores = np.asarray(model.score(frame), dtype=np.float64)
    if scores.shape != (frame.height,):
        raise ValueError(
            f"model {model.version} returned {scores.shape} scores for {frame.height} rows"
        )
    if scores.size and not (
        np.isfinite(scores).all() and scores.min() >= 0.0 and scores.max() <= 1.0
    ):
        raise ValueError(f"model {model.version} returned scores outside [0, 1]")
    return frame.select(
        pl.col("submission_id").cast(pl.String),
        pl.col("institution_id").cast(pl.String),
        pl.col("night").cast(pl.Date),
        pl.Series(SCORE_COLUMN, scores, dtype=pl.Float64),
        pl.lit(model.version, dtype=pl.String).alias(VERSION_COLUMN),
    )


@dataclass(frozen=True)
class InProcessScores:
    scores: pl.DataFrame
    model_version: str
    seconds: float
    mode: str = "in_process"
    actors: int = 0
    device: str = "cpu"


def score_in_process(
    *,
    inputs: Sequence[Path],
    model_path: Path,
    embeddings: Sequence[Path] = (),
    device: DevicePreference = "cpu",
) -> InProcessScores:
    """The default scorer: load the model here and score the partition's rows."""
    started = time.perf_counter()
    model = load_reward_model(path=Path(model_path), device=device)
    files = [f for folder in embeddings for f in sorted(Path(folder).glob("*.parquet"))]
    if files:
        use_stored_embeddings(model, pl.read_parquet(files))
    rows = [f for folder in inputs for f in sorted(Path(folder).glob("*.parquet"))]
    frame = pl.read_parquet(rows, columns=list(INPUT_COLUMNS))
    scores = score_frame(frame, model=model).sort("institution_id", "night", "submission_id")
    return InProcessScores(scores, model.version, time.perf_counter() - started, device=device)
