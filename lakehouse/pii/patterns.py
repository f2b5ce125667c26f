"""Regular expressions for the identifiers the scrubber finds, in two dialects.

`PY_*` patterns run inside Presidio recognisers (Python `re`, look-arounds allowed, candidates are
then validated: Verhoeff, Luhn, digit counts). `RS_*` patterns run in polars (Rust `regex`, no
look-arounds) over whole columns: the pre-filter, which must match every document a recogniser
could match (a superset: a document it skips is never analysed), and the residual scan, which
approximates the recognisers with `\\b` boundaries and vectorised validators.
"""

from __future__ import annotations

from typing import Final

# Entity types, which are also the placeholders: `<AADHAAR>`, `<PHONE>`, ...
PERSON: Final = "PERSON"
AADHAAR: Final = "AADHAAR"
PAN: Final = "PAN"
PHONE: Final = "PHONE"
EMAIL: Final = "EMAIL"
URL: Final = "URL"
IP: Final = "IP"
CREDIT_CARD: Final = "CREDIT_CARD"
ROLL_NUMBER: Final = "ROLL_NUMBER"
ENTITY_TYPES: Final[tuple[str, ...]] = (
    PERSON,
    AADHAAR,
    PAN,
    PHONE,
    EMAIL,
    URL,
    IP,
    CREDIT_CARD,
    ROLL_NUMBER,
)


def placeholder(entity_type: str) -> str:
    """The typed placeholder that replaces a finding: `<PERSON>`, `<AADHAAR>`, ..."""
    return f"<{entity_type}>"


_NOT_WORD_BEFORE: Final = r"(?<![\w+])"
_NOT_WORD_AFTER: Final = r"(?!\w)"
_NOT_DIGIT_BEFORE: Final = r"(?<![\w+])"

# Aadhaar: 12 digits, first 2-9, in one run or as 4-4-4 groups split by a space or hyphen.
PY_AADHAAR: Final = _NOT_DIGIT_BEFORE + r"[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}" + _NOT_WORD_AFTER
RS_AADHAAR: Final = r"\b[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}\b"

# PAN: 5 letters (the 4th names the holder type), 4 digits, 1 letter.
_PAN_BODY: Final = r"[A-Za-z]{3}[PCHFATBLJGpchfatbljg][A-Za-z]\d{4}[A-Za-z]"
PY_PAN: Final = r"(?<!\w)" + _PAN_BODY + _NOT_WORD_AFTER
RS_PAN: Final = r"\b" + _PAN_BODY + r"\b"

# Indian phone numbers. `_SEP` is at most one space or hyphen between digits.
# - international: +91 / 0091, then 10 digits (a mobile 6-9 or a landline area code 1-5),
#   optionally with the trunk 0 in brackets or not;
# - a 10-digit mobile starting 6-9 (98765 43210, 987-654-3210, 9876543210);
# - a 0-prefixed number of 11 digits in all: a landline with its STD code (080-2345 6789,
#   (0824) 245-1234) or a mobile with the trunk 0.
# A bare run of 11+ digits that is not 0-prefixed (a 12-digit marks total) is never a phone.
PY_PHONE_INTERNATIONAL: Final = (
    r"(?<![\w+])(?:\+|\b00)\s?91[\s-]?(?:\(0\)\s?|0)?[1-9](?:[ -]?\d){9}" + _NOT_WORD_AFTER
)
PY_PHONE_MOBILE: Final = _NOT_WORD_BEFORE + r"[6-9](?:[ -]?\d){9}" + _NOT_WORD_AFTER
PY_PHONE_TRUNK: Final = (
    r"(?<![\w+])(?:\(0\d{2,4}\)|0\d{2,4})[ -]?\d(?:[ -]?\d){5,7}" + _NOT_WORD_AFTER
)
RS_PHONE: Final = (
    r"(?:\+|\b00)\s?91[\s-]?(?:\(0\)\s?|0)?[1-9](?:[ -]?\d){9}\b"
    r"|\b[6-9](?:[ -]?\d){9}\b"
    r"|(?:\(0\d{2,4}\)|\b0\d{2,4})[ -]?\d(?:[ -]?\d){5,7}\b"
)
"""Residual form of the three phone patterns; trunk-prefixed hits are kept only at 11 digits."""

PY_EMAIL: Final = (
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}" + r"(?![\w-])"
)
RS_EMAIL: Final = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"

# URLs: with a scheme or `www.`, or a bare host under a common TLD (example.co.in/path).
_TLDS: Final = r"(?:com|in|org|net|edu|gov|io|co|info|me|ly|app|dev|ai|xyz|online|site)"
_URL_TAIL: Final = r"(?:[^\s<>\"'()]*[^\s<>\"'().,;:!?])?"
PY_URL: Final = (
    r"(?i)(?<![\w@.-])(?:(?:https?|ftp)://|www\.)[^\s<>\"'()]*[^\s<>\"'().,;:!?]"
    r"|(?<![\w@.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    + _TLDS
    + r"(?![\w@-])(?:/"
    + _URL_TAIL
    + ")?"
)

# Payment cards: 13-19 digits in groups; validated by Luhn (Presidio's CreditCardRecognizer).

PREFILTER_PATTERNS: Final[tuple[str, ...]] = (
    r"@",
    r"(?i)(?:https?|ftp)://|www\.",
    r"(?i)\b[a-z0-9-]+\." + _TLDS + r"\b",
    r"\d(?:[ ()-]{0,3}\d){9,}",
    r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b",
    r"(?i)[0-9a-f]{0,4}:[0-9a-f]{0,4}:[0-9a-f]{0,4}",
    r"(?i)\b" + _PAN_BODY + r"\b",
)
"""Anything any pattern recogniser can match contains one of these (roll numbers are added per
configuration, roster names are found by Aho-Corasick)."""


def prefilter_regex(roll_number_patterns: tuple[str, ...]) -> str:
    """One Rust regex that matches every document a pattern recogniser could report on."""
    parts = list(PREFILTER_PATTERNS)
    parts.extend(f"(?i)\\b(?:{p})\\b" for p in roll_number_patterns)
    return "|".join(f"(?:{p})" for p in parts)


def roll_number_regex(roll_number_patterns: tuple[str, ...], *, python: bool) -> str | None:
    """The configured roll-number formats as one case-insensitive, word-bounded regex."""
    if not roll_number_patterns:
        return None
    body = "|".join(f"(?:{p})" for p in roll_number_patterns)
    if python:
        return rf"(?<!\w)(?:{body})(?!\w)"
    return rf"(?i)\b(?:{body})\b"
