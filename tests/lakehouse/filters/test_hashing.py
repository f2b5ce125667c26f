"""Stable hashes: the same words give the same numbers in every process, sequences are
order-sensitive, and shingles stay within their document."""

import hashlib

import numpy as np
import polars as pl

from lakehouse.filters.hashing import segment_hashes, shingle_hashes, stable_word_hashes


def test_word_hashes_are_blake2b_and_repeat_for_repeated_words():
    hashes = stable_word_hashes(pl.Series(["tcp", "udp", "tcp"]))
    expected = int.from_bytes(hashlib.blake2b(b"tcp", digest_size=8).digest(), "little")
    assert hashes.dtype == np.uint64
    assert int(hashes[0]) == expected and hashes[0] == hashes[2] != hashes[1]


def test_segment_hashes_are_order_sensitive_and_empty_segments_zero():
    words = stable_word_hashes(pl.Series(["a", "b", "b", "a", "a", "b"]))
    segment = np.array([0, 0, 1, 1, 3, 3])
    out = segment_hashes(words, segment, 4)
    assert out[0] != out[1]  # "a b" vs "b a"
    assert out[0] == out[3]  # "a b" again
    assert out[2] == 0  # no words
    assert (segment_hashes(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), 2) == 0).all()


def test_shingles_per_document_with_offsets():
    words = stable_word_hashes(pl.Series(["one", "two", "three", "four", "x", "y"]))
    doc = np.array([0, 0, 0, 0, 1, 1])
    keys, offsets = shingle_hashes(words, doc, 3, n=3)
    # doc 0: 2 full 3-shingles; doc 1 is shorter than 3 words: one shingle of all of it; doc 2 empty
    assert offsets.tolist() == [0, 2, 3, 3]
    assert keys.size == 3 and len(set(keys.tolist())) == 3
    again, _ = shingle_hashes(words, doc, 3, n=3)
    assert (again == keys).all()
