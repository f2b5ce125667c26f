"""Stored MiniLM embeddings: each distinct text is encoded once per encoder version, then reused.

Encoding is the reward model's cost (~45 answers/s per CPU core). Without a store, every night's
training re-encoded every answer of its window and scoring encoded tonight's answers again, so the
cost grew with history. The store is a lake table (`silver/text_embeddings`, one partition per
institution and night, written by the reward stage beside the partition's answers) with one row
per distinct non-empty text of the partition (question, answer, reference answer):

- `text_sha256`: SHA-256 of the text (hex): the key, so the table holds no text;
- `encoder`: the encoder's fingerprint (`TextEncoder.fingerprint`): rows of another encoder
  version are never used, so replacing the model re-encodes instead of mixing spaces;
- `embedding`: the L2-normalised float32 vector.

A partition's store is rebuilt from that partition's current texts whenever the partition runs,
reusing its previous rows for texts still present, so an erased student's texts leave it with the
re-run that removes their answers. `TextEncoder.remember` loads stored rows; `encode` then runs the
model only on texts it has not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

KEY_COLUMN: Final = "text_sha256"
ENCODER_COLUMN: Final = "encoder"
EMBEDDING_COLUMN: Final = "embedding"
STORE_TEXT_COLUMNS: Final[tuple[str, ...]] = ("question_text", "answer_text", "reference_answer")


def text_keys(texts: Iterable[str]) -> list[str]:
    """SHA-256 hex digest of each text (UTF-8)."""
    return [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]


def store_schema(dim: int) -> dict[str, pl.DataType]:
    return {
        KEY_COLUMN: pl.String(),
        ENCODER_COLUMN: pl.String(),
        EMBEDDING_COLUMN: pl.Array(pl.Float32(), dim),
    }


def distinct_texts(frame: pl.DataFrame) -> list[str]:
    """The distinct non-empty texts of a `scrubbed_submissions` frame, sorted (a stable order)."""
    columns = [c for c in STORE_TEXT_COLUMNS if c in frame.columns]
    if not columns or frame.is_empty():
        return []
    values = pl.concat([frame.get_column(c).cast(pl.String).rename("text") for c in columns])
    return values.drop_nulls().filter(values.drop_nulls() != "").unique().sort().to_list()


def store_frame(
    *, keys: Sequence[str], vectors: np.ndarray, encoder_fingerprint: str
) -> pl.DataFrame:
    """Store rows for `keys` (from `text_keys`) and their vectors."""
    dim = int(vectors.shape[1]) if vectors.ndim == 2 else 0
    return pl.DataFrame(
        {
            KEY_COLUMN: list(keys),
            ENCODER_COLUMN: [encoder_fingerprint] * len(keys),
            EMBEDDING_COLUMN: np.asarray(vectors, dtype=np.float32),
        },
        schema=store_schema(dim),
    )


def read_store(files: Sequence[Path], *, encoder_fingerprint: str) -> tuple[list[str], np.ndarray]:
    """The keys and vectors stored in `files` for one encoder version (each key once)."""
    if not files:
        return [], np.zeros((0, 0), dtype=np.float32)
    return stored_vectors(pl.scan_parquet(list(files)), encoder_fingerprint=encoder_fingerprint)


def stored_vectors(
    rows: pl.DataFrame | pl.LazyFrame, *, encoder_fingerprint: str
) -> tuple[list[str], np.ndarray]:
    """The keys and vectors of store `rows` for one encoder version (each key once)."""
    frame = (
        rows.lazy()
        .filter(pl.col(ENCODER_COLUMN) == encoder_fingerprint)
        .select(KEY_COLUMN, EMBEDDING_COLUMN)
        .unique(KEY_COLUMN, keep="first")
        .collect()
    )
    if frame.is_empty():
        return [], np.zeros((0, 0), dtype=np.float32)
    vectors = np.asarray(frame.get_column(EMBEDDING_COLUMN).to_numpy(), dtype=np.float32)
    return frame.get_column(KEY_COLUMN).to_list(), vectors
