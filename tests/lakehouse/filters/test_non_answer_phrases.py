"""The phrase lists: every entry survives normalisation, so the matcher can find it."""

import pytest

from lakehouse.filters.non_answer import flatten, normalised_set
from lakehouse.filters.non_answer_phrases import EMPTY_ANSWER_NOTES, PLACEHOLDERS, REFUSALS


@pytest.mark.parametrize("lists", [PLACEHOLDERS, REFUSALS])
def test_every_language_list_normalises_to_non_empty_phrases(lists):
    for language, phrases in lists.items():
        normalised = normalised_set(phrases)
        assert normalised.len() == len(set(phrases)), language
        assert (normalised.str.len_chars() > 0).all(), language


def test_scripts_and_romanisations_are_both_listed():
    for language in ("hi", "kn", "ta", "te"):
        assert language in REFUSALS and f"{language}-Latn" in REFUSALS
    assert "na" in flatten(PLACEHOLDERS)
    assert normalised_set(EMPTY_ANSWER_NOTES).len() == len(EMPTY_ANSWER_NOTES)
