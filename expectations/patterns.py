"""Regexes the gates use to mask example values, and whole-word patterns for literal terms.

Whether a silver partition holds an identifier is decided by `lakehouse.pii.identifiers`, the
scrubber's own definitions (see `expectations.suites.silver`); these patterns never decide a gate.
They only mask values that an example row would show (`redact_patterns`), so they are broad on
purpose: masking a harmless number costs nothing, showing a phone number in the event log does.
They avoid look-arounds, `\\d`, `\\w`, `\\s` and `\\b`, so pandas hands them to Arrow's RE2 (linear
time, and a big alternation of raw ids or names compiles to one automaton) and they mean the same in
Python's `re`, which pandas falls back to for non-Arrow strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from lakehouse.pii.trie import trie_regex

_DIGIT_BEFORE: Final = r"(?:^|[^0-9])"
_DIGIT_AFTER: Final = r"(?:[^0-9]|$)"
_WORD_BEFORE: Final = r"(?:^|[^A-Za-z0-9_])"
_WORD_AFTER: Final = r"(?:[^A-Za-z0-9_]|$)"

AADHAAR: Final = _DIGIT_BEFORE + r"[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}" + _DIGIT_AFTER
"""12 digits, in one run or spaced 4-4-4."""

PAN: Final = r"(?:^|[^A-Za-z0-9])[A-Za-z]{5}[0-9]{4}[A-Za-z](?:[^A-Za-z0-9]|$)"

NUMBER: Final = _WORD_BEFORE + r"[+(]?[0-9](?:[ ()./-]{0,3}[0-9]){6,}"
"""Any run of 7 or more digits, separators allowed, not inside a word (a pseudonym stays readable):
phones of every region, cards, accounts, ids."""

EMAIL: Final = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+"
"""An e-mail address or UPI id."""

IBAN: Final = (
    r"[A-Za-z]{2}[0-9]{2}[ -]?[A-Za-z0-9]{4}[ -]?[A-Za-z0-9]{4}(?:[ -]?[A-Za-z0-9]{1,4}){0,6}"
)

PII_PATTERNS: Final[dict[str, str]] = {
    "aadhaar": AADHAAR,
    "pan": PAN,
    "phone": NUMBER,
    "email": EMAIL,
    "iban": IBAN,
}
"""Masks for example values (broad by design: see the module docstring)."""


def literal_terms_pattern(terms: Iterable[str], *, ignore_case: bool = False) -> str | None:
    """A regex finding any of `terms` as a whole word (not inside a longer id or word); None when
    there are no terms. Blank terms are ignored."""
    cleaned = sorted({t.strip() for t in terms if t and t.strip()})
    if not cleaned:
        return None
    if ignore_case:
        cleaned = sorted({t.lower() for t in cleaned})
    body = trie_regex(cleaned)
    return ("(?i)" if ignore_case else "") + _WORD_BEFORE + "(?:" + body + ")" + _WORD_AFTER
