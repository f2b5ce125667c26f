"""Phone numbers of every region: `phonenumbers` validates, Indian mobiles and STD-code landlines
are accepted where its ranges lag, and context words decide the ambiguous digit runs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import phonenumbers

from lakehouse.pii import patterns as p
from lakehouse.pii.identifier import (
    Identifier,
    Span,
    decimal_edge,
    has_context,
)

# --- phone numbers -------------------------------------------------------------------------------

PHONE_REGIONS: Final[tuple[str, ...]] = ("IN", "US", "GB", "CA", "AU", "FR", "IL", "BR", "SG")
"""Regions a national-format number (no `+`) is validated against; `+`/`00` numbers are validated
in their own region, whichever it is. Not Germany: its numbers have no fixed length, and any
spaced 12-digit run (a marks total, a reference) validates there."""
PHONE_CONTEXT: Final = frozenset(
    {
        "phone",
        "telephone",
        "tel",
        "ph",
        "mobile",
        "mob",
        "cell",
        "cellphone",
        "call",
        "calling",
        "called",
        "fax",
        "desk",
        "office",
        "landline",
        "whatsapp",
        "contact",
        "dial",
        "ring",
        "reach",
        "sms",
        "text",
        "helpline",
        "extension",
        "ext",
        "फ़ोन",
        "फोन",
        "मोबाइल",
    }
)
_PHONE_SHAPE: Final = re.compile(
    r"(?<![\w.,/+-])(?:(?:\+|\b00)\s?)?\(?\d(?:[ ()./-]{0,3}\d){6,14}"
    r"(?:\s?(?:x|ext\.?|extn\.?)\s?\d{1,6})?(?![\w])"
)
_EXTENSION: Final = re.compile(r"\s?(?:x|ext\.?|extn\.?)\s?\d{1,6}$")
_DECIMAL: Final = re.compile(r"\d+[.,]\d+")
_INDIAN_MOBILE: Final = re.compile(r"(?:\+?91|0)?[6-9]\d{9}")
_INDIAN_LANDLINE: Final = re.compile(r"0[1-9]\d{1,3}[ -]\d{3,4}[ -]?\d{4}")
"""An Indian landline written with its STD code (`022-8683-3170`, `080 2345 6789`): 11 digits
from a 0, separated after the code; `phonenumbers` knows only allocated ranges, so an unallocated
one (a planted test value, a new exchange) would otherwise pass as text."""
_ISBN_BEFORE: Final = re.compile(r"(?i)isbn(?:-1[03])?[\s:]*$")
_YEAR_RANGE: Final = re.compile(r"(?:1[5-9]|20)\d\d\s?[-/]{1,2}\s?(?:1[5-9]|20)\d\d")


def _phone_valid(number: str, *, international: bool) -> bool:
    regions: Sequence[str | None] = (None,) if international else PHONE_REGIONS
    for region in regions:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return True
    return False


def _find_phones(text: str) -> list[Span]:
    """Phone numbers of any region.

    A phone-shaped run of 7-15 digits (spaces, dots, hyphens, brackets between them; an extension)
    is a phone when: it is written internationally (`+41 ...`, `0091 ...`) and `phonenumbers`
    validates it; or it is an Indian mobile (10 digits from 6-9, with 0/91 before it or not) or an
    Indian landline with its STD code (`022-8683-3170`); or a
    phone word stands nearby ("call me on", "Mobile:", "... office"); or it is written with
    separators, has 9 or more digits and `phonenumbers` validates it in one of `PHONE_REGIONS`.
    Never a phone: a decimal (`0.050813731`), a year range (`1967-1968`), a number after "ISBN",
    a 13-digit 978/979 ISBN.
    """
    spans = []
    for m in _PHONE_SHAPE.finditer(text):
        raw = m.group()
        span = m.span()
        if _DECIMAL.fullmatch(raw) or _YEAR_RANGE.fullmatch(raw) or decimal_edge(text, span):
            continue
        if _ISBN_BEFORE.search(text[max(0, span[0] - 12) : span[0]]):
            continue
        number = _EXTENSION.sub("", raw)
        digits = "".join(ch for ch in number if ch.isdigit())
        if not 7 <= len(digits) <= 15:
            continue
        if len(digits) == 13 and digits.startswith(("978", "979")) and not raw.startswith("+"):
            continue
        international = raw.startswith(("+", "00"))
        if international:
            e164 = "+" + digits.removeprefix("00") if raw.startswith("00") else number
            ok = _phone_valid(e164, international=True) or has_context(text, span, PHONE_CONTEXT)
        elif (
            _INDIAN_MOBILE.fullmatch(digits)
            or (len(digits) == 11 and _INDIAN_LANDLINE.fullmatch(number))
            or has_context(text, span, PHONE_CONTEXT)
        ):
            ok = True
        else:
            separated = any(not ch.isdigit() for ch in number)
            ok = separated and len(digits) >= 9 and _phone_valid(number, international=False)
        if ok:
            spans.append(span)
    return spans


PHONE = Identifier(p.PHONE, r"\d(?:[ ()./-]{0,3}\d){6,}", _find_phones)
