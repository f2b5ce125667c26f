import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lakehouse.pii.checksums import (
    luhn_valid,
    luhn_valid_array,
    verhoeff_check_digit,
    verhoeff_valid,
    verhoeff_valid_array,
)


def test_verhoeff_known_value() -> None:
    assert verhoeff_check_digit("236") == "3"
    assert verhoeff_valid("2363")
    assert not verhoeff_valid("2364")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.integers(1, 9))
def test_verhoeff_detects_every_single_digit_error(body: str, delta: int) -> None:
    number = body + verhoeff_check_digit(body)
    assert verhoeff_valid(number)
    wrong = number[:-1] + str((int(number[-1]) + delta) % 10)
    assert not verhoeff_valid(wrong)


@given(st.lists(st.text(alphabet="0123456789", min_size=12, max_size=12), min_size=1, max_size=30))
def test_verhoeff_array_agrees_with_scalar(numbers: list[str]) -> None:
    matrix = np.array([[int(c) for c in n] for n in numbers])
    assert verhoeff_valid_array(matrix).tolist() == [verhoeff_valid(n) for n in numbers]


@given(st.lists(st.text(alphabet="0123456789", min_size=16, max_size=16), min_size=1, max_size=30))
def test_luhn_array_agrees_with_scalar(numbers: list[str]) -> None:
    matrix = np.array([[int(c) for c in n] for n in numbers])
    assert luhn_valid_array(matrix).tolist() == [luhn_valid(n) for n in numbers]


def test_luhn_known_values() -> None:
    assert luhn_valid("4111 1111 1111 1111")
    assert not luhn_valid("4111 1111 1111 1112")


def test_arrays_must_be_two_dimensional() -> None:
    with pytest.raises(ValueError, match="2-D"):
        verhoeff_valid_array(np.array([1, 2, 3]))
