"""One definition of each identifier: what the scrubber replaces, the residual scan counts and the
silver gate blocks on.

What an identifier is (`candidates`, a pre-filter regex that Python and polars both run, and
`find`, the validated finder) is told in `lakehouse.pii.identifier`; phones and street addresses
have their own modules (`lakehouse.pii.phones`, `lakehouse.pii.addresses`).

The scrubber runs `find` inside Presidio (one `IdentifierRecognizer` per identifier, see
`lakehouse.pii.recognizers`), the silver gate and the residual scan run the same `find` over the
candidate cells of a scrubbed frame (`lakehouse.pii.detect`). So whatever the gate flags, the
scrubber would have replaced: a gate hit on a scrubbed partition means the text changed between the
two, never that the two disagree about what a phone number is.

Where Presidio ships a recogniser for the identifier (cards, IBAN, IP, US SSN / passport / driver's
licence, crypto wallets, dates, Indian voter id / passport / vehicle registration / GSTIN), `find`
runs that recogniser's own patterns and validation; context is checked here, over a character
window, because Presidio's context enhancer needs lemmas that the blank spaCy pipeline lacks. A
Presidio finding scoring below `STRONG_SCORE` (a bare 9-digit number for an SSN, a passport or a
licence) is kept only with one of the recogniser's context words nearby.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    CryptoRecognizer,
    DateRecognizer,
    IbanRecognizer,
    InGstinRecognizer,
    InPassportRecognizer,
    InVehicleRegistrationRecognizer,
    InVoterRecognizer,
    IpRecognizer,
    UsLicenseRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

from lakehouse.pii import patterns as p
from lakehouse.pii.addresses import ADDRESS
from lakehouse.pii.checksums import luhn_valid, verhoeff_valid
from lakehouse.pii.identifier import (
    MONTH,
    Identifier,
    Span,
    context_tokens,
    has_context,
    presidio_finder,
    regex_finder,
    words_regex,
)
from lakehouse.pii.phones import PHONE

# --- Aadhaar, PAN --------------------------------------------------------------------------------


def _aadhaar_valid(value: str) -> bool:
    digits = "".join(ch for ch in value if "0" <= ch <= "9")
    return len(digits) == 12 and len(set(digits)) > 1 and verhoeff_valid(digits)


AADHAAR = Identifier(
    p.AADHAAR,
    r"\d{4}[ -]?\d{4}[ -]?\d{4}",
    regex_finder(p.PY_AADHAAR, validate=_aadhaar_valid, numeric=True),
)
PAN = Identifier(p.PAN, "(?i)" + p.RS_PAN, regex_finder("(?i)" + p.PY_PAN))

# --- e-mail, URL, IP -----------------------------------------------------------------------------

EMAIL = Identifier(p.EMAIL, "@", regex_finder(p.PY_EMAIL))


def _url_valid(value: str) -> bool:
    """A bare host must not end in a capitalised word: `fifties.In the late 1940s` is a missing
    space after a full stop, not a host under `.in`."""
    if re.match(r"(?i)(?:https?|ftp)://|www\.", value):
        return True
    tld = value.split("/", 1)[0].rsplit(".", 1)[-1]
    return not (tld[:1].isupper() and not tld.isupper())


URL = Identifier(
    p.URL,
    r"(?i:(?:https?|ftp)://|www\.|\b[a-z0-9-]+\." + p.TLDS + r"\b)",
    regex_finder(p.PY_URL, validate=_url_valid),
)
IP = Identifier(
    p.IP,
    r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|(?i:[0-9a-f]{0,4}:[0-9a-f]{0,4}:[0-9a-f]{0,4})",
    presidio_finder(IpRecognizer(supported_entity=p.IP)),
)

# --- payment and bank ----------------------------------------------------------------------------

_CARD_WORDS: Final = (
    "card",
    "credit",
    "debit",
    "visa",
    "mastercard",
    "amex",
    "rupay",
    "maestro",
    "discover",
    "cc",
)
_CARD_DIGITS: Final = r"(?<![\w.,/+-])\d(?:[ -]?\d){12,18}(?![\w])"
_MASTERCARD_2: Final = re.compile(r"2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}")


def _card_without_prefix(value: str) -> bool:
    digits = "".join(ch for ch in value if ch.isdigit())
    return luhn_valid(digits) and len(set(digits)) > 1


CREDIT_CARD = Identifier(
    p.CREDIT_CARD,
    r"\d{4}[- ]?\d{3}",
    presidio_finder(
        CreditCardRecognizer(supported_entity=p.CREDIT_CARD),
        numeric=True,
        # Presidio's pattern knows no 2-series Mastercard (2221-2720) and no other prefix; a
        # Luhn-valid 13-19 digit number is a card too when a card word stands nearby.
        extra=lambda text: [
            span
            for span in regex_finder(_CARD_DIGITS, validate=_card_without_prefix, numeric=True)(
                text
            )
            if _MASTERCARD_2.fullmatch(re.sub(r"\D", "", text[span[0] : span[1]]))
            or has_context(text, span, context_tokens(_CARD_WORDS))
        ],
    ),
)
IBAN = Identifier(
    p.IBAN,
    r"(?i)[a-z]{2}[ -]?\d{2}",
    presidio_finder(IbanRecognizer(supported_entity=p.IBAN)),
)
CRYPTO = Identifier(
    p.CRYPTO,
    r"[a-zA-Z0-9]{26}",
    presidio_finder(CryptoRecognizer(supported_entity=p.CRYPTO)),
)
_IFSC: Final = r"(?<![A-Za-z0-9])[A-Z]{4}0[A-Z0-9]{6}(?![A-Za-z0-9])"
IFSC = Identifier(p.IFSC, r"[A-Z]{4}0[A-Z0-9]{6}", regex_finder(_IFSC))
BANK_ACCOUNT = Identifier(
    p.BANK_ACCOUNT,
    words_regex(("acc", "acct", "savings")),
    regex_finder(
        r"(?<![\w.,/+-])\d(?:[ -]?\d){8,17}(?![\w])",
        context=frozenset({"account", "acct", "acc", "savings"}),
        numeric=True,
    ),
)
UPI_HANDLES: Final[tuple[str, ...]] = (
    "upi",
    "ybl",
    "ibl",
    "axl",
    "apl",
    "paytm",
    "okaxis",
    "oksbi",
    "okhdfcbank",
    "okicici",
    "icici",
    "sbi",
    "hdfcbank",
    "axisbank",
    "kotak",
    "yesbank",
    "freecharge",
    "airtel",
    "jio",
    "postbank",
    "fbl",
    "idfcbank",
    "pnb",
    "barodampay",
    "unionbank",
)
UPI = Identifier(
    p.UPI,
    "@",
    regex_finder(
        r"(?i)(?<![\w.@-])[a-z0-9][a-z0-9._-]{1,255}@(?:"
        + "|".join(UPI_HANDLES)
        + r")(?![\w.@-]|\.[a-z])"
    ),
)

# --- government ids ------------------------------------------------------------------------------

_SSN_RECOGNIZER: Final = UsSsnRecognizer(supported_entity=p.US_SSN)
US_SSN = Identifier(
    p.US_SSN,
    r"\d{3}[- .]?\d{2}|" + words_regex(("ssn", "social security", "ssid")),
    presidio_finder(_SSN_RECOGNIZER, numeric=True),
)
_PASSPORT_WORDS: Final = ("passport",)
PASSPORT = Identifier(
    p.PASSPORT,
    words_regex(_PASSPORT_WORDS),
    presidio_finder(
        UsPassportRecognizer(supported_entity=p.PASSPORT),
        context=context_tokens(_PASSPORT_WORDS),
        always_context=True,
        extra=presidio_finder(
            InPassportRecognizer(supported_entity=p.PASSPORT),
            context=context_tokens(_PASSPORT_WORDS),
            always_context=True,
        ),
    ),
)
_LICENCE_WORDS: Final = ("driver", "driving", "licence", "license", "lic", "dl", "permit")
DRIVER_LICENSE = Identifier(
    p.DRIVER_LICENSE,
    words_regex(_LICENCE_WORDS),
    presidio_finder(
        UsLicenseRecognizer(supported_entity=p.DRIVER_LICENSE),
        context=context_tokens(_LICENCE_WORDS),
        always_context=True,
        min_length=6,  # not "F1 driver"
        extra=regex_finder(
            # Indian driving licence: state code, RTO code, year, serial (KA01 20190012345).
            r"(?i)(?<![\w])[a-z]{2}[ -]?\d{2}[ -]?(?:19|20)\d{2}[ -]?\d{7}(?![\w])",
        ),
    ),
)
_VOTER_WORDS: Final = ("voter", "epic", "elector")
VOTER_ID = Identifier(
    p.VOTER_ID,
    words_regex(_VOTER_WORDS),
    presidio_finder(
        InVoterRecognizer(supported_entity=p.VOTER_ID),
        context=context_tokens(_VOTER_WORDS),
        always_context=True,
    ),
)
_VEHICLE_WORDS: Final = ("vehicle", "registration", "rto", "plate", "car", "bike", "scooter")
VEHICLE_REGISTRATION = Identifier(
    p.VEHICLE_REGISTRATION,
    r"(?i:[a-z]{2}\d{1,2}[a-z]{0,3}\d{4}|\d{2}bh\d{4}|\d{2}[a-z]\d{6})|"
    + words_regex(_VEHICLE_WORDS),
    presidio_finder(
        InVehicleRegistrationRecognizer(supported_entity=p.VEHICLE_REGISTRATION),
        context=context_tokens(_VEHICLE_WORDS),
        strong_score=1.0,  # only a known state and RTO code vouches for itself
    ),
)
GSTIN = Identifier(
    p.GSTIN,
    r"(?i)\d{2}[a-z0-9]{11}z[a-z0-9]",
    presidio_finder(InGstinRecognizer(supported_entity=p.GSTIN)),
)

# --- dates of birth ------------------------------------------------------------------------------

_WRITTEN_DATE: Final = (
    r"(?i)(?<!\w)(?:\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+" + MONTH + r"\.?,?\s+\d{4}"
    r"|" + MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})(?!\w)"
)
_BIRTH_WORDS: Final = ("born", "birth", "dob", "d.o.b", "birthday", "bday")
DATE_OF_BIRTH = Identifier(
    p.DATE_OF_BIRTH,
    words_regex(_BIRTH_WORDS),
    presidio_finder(
        DateRecognizer(supported_entity=p.DATE_OF_BIRTH),
        context=context_tokens(_BIRTH_WORDS),
        always_context=True,
        extra=regex_finder(_WRITTEN_DATE, context=context_tokens(_BIRTH_WORDS)),
    ),
)

IDENTIFIERS: Final[tuple[Identifier, ...]] = (
    AADHAAR,
    CREDIT_CARD,
    IBAN,
    CRYPTO,
    GSTIN,
    EMAIL,
    UPI,
    US_SSN,
    PAN,
    VOTER_ID,
    PASSPORT,
    DRIVER_LICENSE,
    VEHICLE_REGISTRATION,
    IFSC,
    BANK_ACCOUNT,
    PHONE,
    IP,
    DATE_OF_BIRTH,
    URL,
    ADDRESS,
)
"""Every identifier the scrubber replaces and the gate blocks on, institution-independent (roll
numbers and roster names are per institution), most specific first: a value two of them find
counts as the earlier one (a valid Aadhaar is not also a phone number)."""

BY_ENTITY: Final[dict[str, Identifier]] = {i.entity: i for i in IDENTIFIERS}


def roll_number_identifier(roll_number_patterns: tuple[str, ...]) -> Identifier | None:
    """The institution's roll numbers / USNs as an identifier (None when it has no format)."""
    rust = p.roll_number_regex(roll_number_patterns, python=False)
    python = p.roll_number_regex(roll_number_patterns, python=True)
    if rust is None or python is None:
        return None
    return Identifier(p.ROLL_NUMBER, rust, regex_finder("(?i)" + python))


def find_all(text: str, identifiers: Sequence[Identifier] = IDENTIFIERS) -> list[tuple[str, Span]]:
    """Every identifier found in `text`, as (entity, span), in text order; a span inside one that
    an earlier identifier of `identifiers` found is dropped (counted once, as the earlier)."""
    kept: list[tuple[str, Span]] = []
    for identifier in identifiers:
        for start, end in identifier.find(text):
            if not any(s <= start and end <= e for _, (s, e) in kept):
                kept.append((identifier.entity, (start, end)))
    return sorted(kept, key=lambda item: (item[1], item[0]))


def prefilter_regex(roll_number_patterns: tuple[str, ...]) -> str:
    """One regex (Rust and Python) matching every document any identifier could be found in: the
    union of their `candidates`. A document it does not match holds no identifier, by construction
    of `Identifier.find`, so the scrubber may skip it."""
    identifiers = list(IDENTIFIERS)
    roll = roll_number_identifier(roll_number_patterns)
    if roll is not None:
        identifiers.append(roll)
    return "|".join(f"(?:{i.candidates})" for i in identifiers)
