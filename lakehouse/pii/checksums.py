"""Check digits of Indian and card identifiers: Verhoeff (Aadhaar) and Luhn (payment cards).

Each algorithm comes twice: a scalar form for Presidio's per-match `validate_result`, and a numpy
form over a 2-D array of digits (one identifier per row) for the vectorised residual scan, where
thousands of candidate numbers are checked at once without a Python loop per number.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# One Verhoeff implementation serves the scrubber and the generator, which plants valid and invalid
# Aadhaar numbers (UIDAI appends a Verhoeff check digit to every Aadhaar).
from lakehouse.pii.verhoeff import check_digits, is_valid


def _digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() and ch.isascii())


def verhoeff_valid(value: str) -> bool:
    """True when `value`'s ASCII digits (separators ignored) end in a correct Verhoeff digit."""
    digits = _digits_only(value)
    if not digits:
        return False
    return bool(is_valid(np.array([[int(ch) for ch in digits]], dtype=np.int8))[0])


def verhoeff_check_digit(value: str) -> str:
    """The digit to append to `value`'s digits so that the result is Verhoeff-valid."""
    digits = [int(ch) for ch in _digits_only(value)]
    return str(int(check_digits(np.array([digits], dtype=np.int8))[0]))


def verhoeff_valid_array(digits: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """Verhoeff validity of each row of a 2-D array of digits (rows of equal length)."""
    rows = np.asarray(digits, dtype=np.int8)
    if rows.ndim != 2:
        raise ValueError("expected a 2-D array: one identifier per row")
    return np.asarray(is_valid(rows))


def luhn_valid(value: str) -> bool:
    """True when `value`'s ASCII digits (separators ignored) pass the Luhn mod-10 check."""
    digits = _digits_only(value)
    if len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_valid_array(digits: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
    """Luhn validity of each row of a 2-D array of digits (rows of equal length)."""
    rows = np.asarray(digits, dtype=np.int16)
    if rows.ndim != 2:
        raise ValueError("expected a 2-D array: one identifier per row")
    from_right = rows[:, ::-1].copy()
    doubled = from_right[:, 1::2] * 2
    from_right[:, 1::2] = np.where(doubled > 9, doubled - 9, doubled)
    return np.asarray(from_right.sum(axis=1) % 10 == 0)
