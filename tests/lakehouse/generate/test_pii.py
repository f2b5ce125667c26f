"""Planted identifiers: valid Aadhaar numbers pass Verhoeff; decoys fail it and keep 2-5 then
0-5 in their first places (no mobile number hides inside)."""

from __future__ import annotations

import numpy as np

from lakehouse.generate.pii import aadhaar_digits, digit_strings
from lakehouse.pii.verhoeff import is_valid_number


def test_valid_and_decoy_aadhaar_numbers() -> None:
    rng = np.random.default_rng(7)
    valid = digit_strings(aadhaar_digits(rng, 200, valid=True)).to_list()
    decoys = digit_strings(aadhaar_digits(rng, 200, valid=False)).to_list()
    assert all(len(v) == 12 and v[0] in "23456789" for v in valid)
    assert all(is_valid_number(v) for v in valid)
    assert not any(is_valid_number(d) for d in decoys)
    assert all(d[0] in "2345" and set(d[1:3]) <= set("012345") for d in decoys)


def test_digit_strings_keep_leading_zeros() -> None:
    digits = np.array([[0, 0, 7], [1, 2, 3]], dtype=np.int8)
    assert digit_strings(digits).to_list() == ["007", "123"]
