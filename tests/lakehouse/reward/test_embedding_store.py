"""The embedding store: stored vectors are used instead of running the model, per encoder version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from lakehouse.reward.embedding_store import (
    distinct_texts,
    read_store,
    store_frame,
    text_keys,
)
from lakehouse.reward.encoder import TextEncoder


def test_remembered_vectors_are_returned_without_running_the_model(encoder: TextEncoder) -> None:
    fresh = TextEncoder(device="cpu")
    planted = np.zeros((1, fresh.dim), dtype=np.float32)
    planted[0, 0] = 1.0
    fresh.remember(text_keys(["stored answer"]), planted)
    out = fresh.encode(["stored answer", "", "stored answer"])
    assert fresh.texts_encoded == 0 and fresh.tokens_processed == 0
    assert np.array_equal(out[0], planted[0]) and np.array_equal(out[2], planted[0])
    assert not out[1].any()  # an empty text is the zero vector, never stored
    # a new text is encoded once, then served from memory, and equals a plain encoding
    first = fresh.encode(["a new answer", "stored answer"])
    again = fresh.encode(["a new answer"])
    assert fresh.texts_encoded == 1
    assert np.array_equal(first[0], again[0])
    assert np.allclose(first[0], encoder.encode(["a new answer"])[0], atol=1e-6)


def test_store_round_trip_keeps_only_the_asked_encoder_version(tmp_path: Path) -> None:
    texts = ["b", "a"]
    vectors = np.arange(6, dtype=np.float32).reshape(2, 3)
    ours = store_frame(keys=text_keys(texts), vectors=vectors, encoder_fingerprint="v1")
    theirs = store_frame(keys=text_keys(["c"]), vectors=vectors[:1], encoder_fingerprint="v2")
    files = [tmp_path / "ours.parquet", tmp_path / "theirs.parquet"]
    ours.write_parquet(files[0])
    theirs.write_parquet(files[1])
    keys, read = read_store(files, encoder_fingerprint="v1")
    assert dict(zip(keys, read.tolist(), strict=True)) == dict(
        zip(text_keys(texts), vectors.tolist(), strict=True)
    )
    assert read_store(files, encoder_fingerprint="v3")[0] == []
    assert read_store([], encoder_fingerprint="v1")[0] == []


def test_distinct_texts_of_a_partition_skip_empty_and_null() -> None:
    frame = pl.DataFrame(
        {
            "question_text": ["q", "q", "q"],
            "answer_text": ["x", "", None],
            "reference_answer": [None, "r", "r"],
        }
    )
    assert distinct_texts(frame) == ["q", "r", "x"]
