"""The Verhoeff check digit (the one Aadhaar numbers carry), scalar and vectorised.

The scrubber, the residual scan and the silver gate validate Aadhaar numbers with it
(`lakehouse.pii.checksums`); the generator plants Aadhaar numbers whose last digit is valid and decoy 12-digit numbers whose last
digit is deliberately wrong, so a scrubber that checks the digit can tell them apart.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

_D: Final = np.array(
    [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ],
    dtype=np.int8,
)
"""Multiplication table of the dihedral group D5."""

_P: Final = np.array(
    [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ],
    dtype=np.int8,
)
"""Position permutations, applied cyclically (period 8)."""

_INV: Final = np.array([0, 4, 3, 2, 1, 5, 6, 7, 8, 9], dtype=np.int8)


def _checksum(digits: npt.NDArray[np.int8], *, offset: int) -> npt.NDArray[np.int8]:
    """Fold the digits of each row right to left; `offset` is 1 when the check digit is still absent."""
    c = np.zeros(digits.shape[0], dtype=np.int8)
    width = digits.shape[1]
    for i in range(width):  # over digit positions (12), not rows
        d = digits[:, width - 1 - i]
        c = _D[c, _P[(i + offset) % 8, d]]
    return c


def check_digits(digits: npt.NDArray[np.integer]) -> npt.NDArray[np.int8]:
    """The Verhoeff check digit for each row of a (rows, width) digit matrix."""
    return _INV[_checksum(np.asarray(digits, dtype=np.int8), offset=1)]


def is_valid(digits: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """Whether each row of a digit matrix (check digit last) passes the Verhoeff check."""
    return _checksum(np.asarray(digits, dtype=np.int8), offset=0) == 0


def is_valid_number(number: str) -> bool:
    """Whether a digit string (spaces allowed) passes the Verhoeff check."""
    digits = [int(ch) for ch in number if not ch.isspace()]
    return bool(is_valid(np.array([digits], dtype=np.int8))[0])
