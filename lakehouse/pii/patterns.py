"""Entity types (= placeholders) and the regular expressions of the scrubber's own identifiers.

`PY_*` patterns are Python `re` (look-arounds allowed) and run inside `lakehouse.pii.identifiers`'
finders, which then validate what they match (Verhoeff, context words, ...). `RS_*` patterns are
Rust `regex` (polars), usable as an identifier's column-wise `candidates`.
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
IBAN: Final = "IBAN"
CRYPTO: Final = "CRYPTO"
IFSC: Final = "IFSC"
BANK_ACCOUNT: Final = "BANK_ACCOUNT"
UPI: Final = "UPI"
US_SSN: Final = "US_SSN"
PASSPORT: Final = "PASSPORT"
DRIVER_LICENSE: Final = "DRIVER_LICENSE"
VOTER_ID: Final = "VOTER_ID"
VEHICLE_REGISTRATION: Final = "VEHICLE_REGISTRATION"
GSTIN: Final = "GSTIN"
DATE_OF_BIRTH: Final = "DATE_OF_BIRTH"
ADDRESS: Final = "ADDRESS"
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
    IBAN,
    CRYPTO,
    IFSC,
    BANK_ACCOUNT,
    UPI,
    US_SSN,
    PASSPORT,
    DRIVER_LICENSE,
    VOTER_ID,
    VEHICLE_REGISTRATION,
    GSTIN,
    DATE_OF_BIRTH,
    ADDRESS,
)


def placeholder(entity_type: str) -> str:
    """The typed placeholder that replaces a finding: `<PERSON>`, `<AADHAAR>`, ..."""
    return f"<{entity_type}>"


_NOT_WORD_AFTER: Final = r"(?!\w)"
_NOT_DIGIT_BEFORE: Final = r"(?<![\w+])"

# Aadhaar: 12 digits, first 2-9, in one run or as 4-4-4 groups split by a space or hyphen.
PY_AADHAAR: Final = _NOT_DIGIT_BEFORE + r"[2-9]\d{3}[ -]?\d{4}[ -]?\d{4}" + _NOT_WORD_AFTER

# PAN: 5 letters (the 4th names the holder type), 4 digits, 1 letter.
_PAN_BODY: Final = r"[A-Za-z]{3}[PCHFATBLJGpchfatbljg][A-Za-z]\d{4}[A-Za-z]"
PY_PAN: Final = r"(?<!\w)" + _PAN_BODY + _NOT_WORD_AFTER
RS_PAN: Final = r"\b" + _PAN_BODY + r"\b"

PY_EMAIL: Final = (
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}" + r"(?![\w-])"
)

# URLs: with a scheme or `www.`, or a bare host under a common TLD (example.co.in/path).
TLDS: Final = r"(?:com|in|org|net|edu|gov|io|co|info|me|ly|app|dev|ai|xyz|online|site)"
_URL_TAIL: Final = r"(?:[^\s<>\"'()]*[^\s<>\"'().,;:!?])?"
PY_URL: Final = (
    r"(?i)(?<![\w@.-])(?:(?:https?|ftp)://|www\.)[^\s<>\"'()]*[^\s<>\"'().,;:!?]"
    r"|(?<![\w@.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    + TLDS
    + r"(?![\w@-])(?:/"
    + _URL_TAIL
    + ")?"
)


def roll_number_regex(roll_number_patterns: tuple[str, ...], *, python: bool) -> str | None:
    """The configured roll-number formats as one case-insensitive, word-bounded regex."""
    if not roll_number_patterns:
        return None
    body = "|".join(f"(?:{p})" for p in roll_number_patterns)
    if python:
        return rf"(?<!\w)(?:{body})(?!\w)"
    return rf"(?i)\b(?:{body})\b"
