"""Stable 64-bit hashes of words and word sequences, computed on flat numpy arrays.

The dedup index persists hashes across nights and library upgrades, so polars' `hash()` (not
stable across versions) is not used for anything stored: each distinct word of a batch is hashed
once with BLAKE2b (a Python call per distinct word, not per occurrence), and sequences (n-gram
shingles, paragraphs, whole documents) are combined from word hashes with numpy.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

_P = np.uint64(0x100000001B3)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: spreads bits so that sums of hashes stay well distributed."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


def stable_word_hashes(tokens: pl.Series) -> np.ndarray:
    """uint64 BLAKE2b hash of each token (a flat String series)."""
    vocab = tokens.unique()
    hashed = pl.Series(
        "h",
        [
            int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            for w in vocab
        ],
        dtype=pl.UInt64,
    )
    table = pl.DataFrame({"t": vocab, "h": hashed})
    return (
        pl.DataFrame({"t": tokens})
        .join(table, on="t", how="left", maintain_order="left")["h"]
        .to_numpy()
    )


def segment_hashes(word_hashes: np.ndarray, segment: np.ndarray, n_segments: int) -> np.ndarray:
    """Order-sensitive hash of each segment's word sequence (segments are contiguous runs of
    `segment` ids 0..n_segments-1); empty segments hash to 0."""
    out = np.zeros(n_segments, dtype=np.uint64)
    if word_hashes.size == 0:
        return out
    starts = np.r_[0, np.flatnonzero(np.diff(segment)) + 1]
    position = np.arange(word_hashes.size) - np.repeat(
        starts, np.diff(np.r_[starts, word_hashes.size])
    )
    powers = np.cumprod(np.full(int(position.max()) + 1, _P, dtype=np.uint64))
    terms = mix(word_hashes) * powers[position]
    sums = np.add.reduceat(terms, starts)
    out[segment[starts]] = mix(sums + np.diff(np.r_[starts, word_hashes.size]).astype(np.uint64))
    return out


def shingle_hashes(
    word_hashes: np.ndarray, doc: np.ndarray, n_docs: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Word n-gram shingle hashes, flat, with row offsets per document (for rensa). A document
    shorter than n words gets one shingle of all its words; an empty one gets none."""
    m = word_hashes.size
    counts = np.bincount(doc, minlength=n_docs) if m else np.zeros(n_docs, dtype=np.int64)
    if m == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(n_docs + 1, dtype=np.uint64)
    mixed = mix(word_hashes)
    key = mixed.copy()
    for j in range(1, n):
        key = key[: m - j] * _P + mixed[j:]
    full_start = np.arange(m - n + 1) if m >= n else np.zeros(0, dtype=np.int64)
    valid = doc[full_start] == doc[full_start + n - 1] if m >= n else np.zeros(0, dtype=bool)
    shingle_doc = [full_start[valid]]
    shingle_key = [key[: m - n + 1][valid] if m >= n else np.zeros(0, dtype=np.uint64)]
    short = np.flatnonzero((counts > 0) & (counts < n))
    if short.size:
        whole = segment_hashes(word_hashes, doc, n_docs)[short]
        shingle_doc.append(np.searchsorted(doc, short))
        shingle_key.append(whole)
    starts_all = np.concatenate(shingle_doc)
    keys_all = np.concatenate(shingle_key)
    owner = doc[starts_all]
    order = np.argsort(owner, kind="stable")
    owner = owner[order]
    offsets = np.zeros(n_docs + 1, dtype=np.uint64)
    offsets[1:] = np.cumsum(np.bincount(owner, minlength=n_docs))
    return mix(keys_all[order]), offsets
