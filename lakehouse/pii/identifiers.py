"""One definition of each identifier: what the scrubber replaces, the residual scan counts and the
silver gate blocks on.

Each `Identifier` has
- `candidates`: a regex that is valid, and means the same, in Python's `re` and in Rust's `regex`
  (polars). Any text in which the identifier can be found contains a match of it: `find` returns
  nothing without one, by construction, so a column-wise `str.contains(candidates)` may skip every
  other document (the scrubber's pre-filter, the gate's and the residual scan's first pass);
- `find(text)`: the spans of the identifier in `text`, validated (Verhoeff, Luhn, the IBAN
  checksum, `phonenumbers`, Presidio's own validators) and, where a value is ambiguous on its own,
  accepted only with a context word nearby ("passport", "born", "account", ...).

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

import phonenumbers
from presidio_analyzer import PatternRecognizer
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
from lakehouse.pii.checksums import luhn_valid, verhoeff_valid

Span = tuple[int, int]

STRONG_SCORE: Final = 0.5
"""A Presidio finding at or above this score (or validated by a checksum: 1.0) needs no context."""
CONTEXT_BEFORE: Final = 5
CONTEXT_AFTER: Final = 3
"""Words (numbers count as words) before / after a value searched for its context words, as
Presidio's context enhancer does: "call +91 98765 43210 or ...; total 987654321013" does not make
the marks total a phone number."""
_WINDOW_CHARS: Final = 80

_TOKEN: Final = re.compile(r"[a-z]+")
_WINDOW_TOKEN: Final = re.compile(r"[a-z]+|[0-9]+")
_GENERIC_CONTEXT: Final = frozenset(
    {"us", "united", "states", "number", "no", "of", "the", "and", "date", "card", "code", "id"}
)
"""Words of Presidio's context lists too common to vouch for a value on their own."""


def context_tokens(words: Iterable[str]) -> frozenset[str]:
    """The lower-case tokens of `words` (multi-word entries split), minus the generic ones."""
    tokens = {t for w in words for t in _TOKEN.findall(w.lower())}
    return frozenset(tokens - _GENERIC_CONTEXT)


def has_context(text: str, span: Span, words: frozenset[str]) -> bool:
    """Whether one of `words` is among the `CONTEXT_BEFORE` words before `span` or the
    `CONTEXT_AFTER` words after it."""
    start, end = span
    before = _WINDOW_TOKEN.findall(text[max(0, start - _WINDOW_CHARS) : start].lower())
    after = _WINDOW_TOKEN.findall(text[end : end + _WINDOW_CHARS].lower())
    return any(t in words for t in (*before[-CONTEXT_BEFORE:], *after[:CONTEXT_AFTER]))


def words_regex(words: Iterable[str]) -> str:
    """A case-insensitive regex for any of `words` (the candidates of a context-only identifier)."""
    body = "|".join(sorted({re.escape(w) for w in words}, key=lambda w: (-len(w), w)))
    return f"(?i:{body})"


def _decimal_edge(text: str, span: Span) -> bool:
    """True when `span` is part of a decimal number (`0.050813731`, `3,14159`): a digit and a
    `.`/`,` right before it, or a `.`/`,` and a digit right after it."""
    start, end = span
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (len(before) == 2 and before[1] in ".," and before[0].isdigit()) or (
        len(after) == 2 and after[0] in ".," and after[1].isdigit()
    )


@dataclass(frozen=True)
class Identifier:
    """One identifier type: its entity (= placeholder), candidate regex and finder."""

    entity: str
    candidates: str
    finder: Callable[[str], list[Span]] = field(repr=False)

    @cached_property
    def _candidates(self) -> re.Pattern[str]:
        return re.compile(self.candidates)

    def find(self, text: str) -> list[Span]:
        """The spans of this identifier in `text` (none when `candidates` does not match)."""
        if not text or self._candidates.search(text) is None:
            return []
        return self.finder(text)


def _regex_finder(
    pattern: str,
    *,
    validate: Callable[[str], bool] | None = None,
    context: frozenset[str] | None = None,
    numeric: bool = False,
) -> Callable[[str], list[Span]]:
    compiled = re.compile(pattern)

    def find(text: str) -> list[Span]:
        spans = []
        for m in compiled.finditer(text):
            span = m.span()
            if numeric and _decimal_edge(text, span):
                continue
            if validate is not None and not validate(m.group()):
                continue
            if context is not None and not has_context(text, span, context):
                continue
            spans.append(span)
        return spans

    return find


def presidio_finder(
    recognizer: PatternRecognizer,
    *,
    context: frozenset[str] | None = None,
    always_context: bool = False,
    numeric: bool = False,
    extra: Callable[[str], list[Span]] | None = None,
    min_length: int = 1,
    strong_score: float = STRONG_SCORE,
) -> Callable[[str], list[Span]]:
    """`find` over a Presidio pattern recogniser: its patterns and validation, our context rule.

    A finding scoring `STRONG_SCORE` or more is kept; a weaker one only with a context word
    (`context`, default: the recogniser's own list); with `always_context` every finding needs one.
    """
    words = context if context is not None else context_tokens(recognizer.context or [])
    entities = list(recognizer.supported_entities)

    def find(text: str) -> list[Span]:
        spans: set[Span] = set()
        for r in recognizer.analyze(text, entities, None):
            span = (r.start, r.end)
            if r.end - r.start < min_length or (numeric and _decimal_edge(text, span)):
                continue
            strong = r.score >= strong_score and not always_context
            if strong or has_context(text, span, words):
                spans.add(span)
        if extra is not None:
            spans.update(extra(text))
        return sorted(spans)

    return find


# --- Aadhaar, PAN --------------------------------------------------------------------------------


def _aadhaar_valid(value: str) -> bool:
    digits = "".join(ch for ch in value if "0" <= ch <= "9")
    return len(digits) == 12 and len(set(digits)) > 1 and verhoeff_valid(digits)


AADHAAR = Identifier(
    p.AADHAAR,
    r"\d{4}[ -]?\d{4}[ -]?\d{4}",
    _regex_finder(p.PY_AADHAAR, validate=_aadhaar_valid, numeric=True),
)
PAN = Identifier(p.PAN, "(?i)" + p.RS_PAN, _regex_finder("(?i)" + p.PY_PAN))

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
        if _DECIMAL.fullmatch(raw) or _YEAR_RANGE.fullmatch(raw) or _decimal_edge(text, span):
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

# --- e-mail, URL, IP -----------------------------------------------------------------------------

EMAIL = Identifier(p.EMAIL, "@", _regex_finder(p.PY_EMAIL))


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
    _regex_finder(p.PY_URL, validate=_url_valid),
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
            for span in _regex_finder(_CARD_DIGITS, validate=_card_without_prefix, numeric=True)(
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
IFSC = Identifier(p.IFSC, r"[A-Z]{4}0[A-Z0-9]{6}", _regex_finder(_IFSC))
BANK_ACCOUNT = Identifier(
    p.BANK_ACCOUNT,
    words_regex(("acc", "acct", "savings")),
    _regex_finder(
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
    _regex_finder(
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
        extra=_regex_finder(
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

_MONTH: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WRITTEN_DATE: Final = (
    r"(?i)(?<!\w)(?:\d{1,2}(?:st|nd|rd|th)?(?:\s+of)?\s+" + _MONTH + r"\.?,?\s+\d{4}"
    r"|" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})(?!\w)"
)
_BIRTH_WORDS: Final = ("born", "birth", "dob", "d.o.b", "birthday", "bday")
DATE_OF_BIRTH = Identifier(
    p.DATE_OF_BIRTH,
    words_regex(_BIRTH_WORDS),
    presidio_finder(
        DateRecognizer(supported_entity=p.DATE_OF_BIRTH),
        context=context_tokens(_BIRTH_WORDS),
        always_context=True,
        extra=_regex_finder(_WRITTEN_DATE, context=context_tokens(_BIRTH_WORDS)),
    ),
)

# --- street addresses ----------------------------------------------------------------------------

_STREET_WORDS: Final = (
    "road|rd|street|st|avenue|ave|lane|ln|drive|dr|place|pl|way|boulevard|blvd|court|ct|terrace"
    "|crescent|close|square|sq|highway|hwy|parkway|marg|nagar|cross|main|layout|colony|circle"
    "|chowk|gali|salai|veedhi|peth|bagh|enclave|vihar|puram|extension|rue|via|calle|avenida|rua"
)
_STREET_WORDS_TITLE: Final = "|".join(
    form for word in _STREET_WORDS.split("|") for form in (word.title(), word.upper())
)
_STREET_SUFFIXES: Final = "straat|strasse|straße|gasse|weg|laan|plein|allee|gürtel|útja|utca|vej"
_NAME: Final = r"[^\W\d_][\w'’.-]*"
_NUMBER: Final = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?"
_UNIT_WORDS: Final = ("flat", "apt", "apartment", "suite", "ste", "room", "floor", "block")
_UNIT_WORDS_MORE: Final = ("sector", "ward", "building", "bldg", "tower", "wing")
_UNIT: Final = (
    r"(?:flat|apt|apartment|suite|ste|house\s+no|h\.?\s?no|door\s+no|plot\s+no|room|floor|block"
    r"|sector|ward|building|bldg|tower|wing)\.?\s*[#:.,-]?\s*(?:no\.?\s*)?[A-Za-z]?\d{1,5}[A-Za-z]?"
)
_LEAD: Final = r"(?:\d{1,5}\s+)?"
_STRONG_ADDRESS: Final = tuple(
    re.compile(pattern)
    for pattern in (
        # 12 MG Road / 27 2279 President St / 107 Rue Abdelaziz Thâalbi / 2nd Cross
        rf"(?<![\w.,]){_LEAD}(?:{_NUMBER}|\d{{1,2}}(?:st|nd|rd|th))[ ,]+(?:[A-Z][\w'’.-]*\s+){{0,3}}?"
        rf"(?:{_STREET_WORDS_TITLE})\b\.?(?:\s+[A-Z][\w'’.-]*){{0,3}}",
        # Nassaustraat 123 / Ziegelgasse 26 / árpád fejedelem útja 45
        rf"(?i)(?<![\w]){_LEAD}(?:{_NAME}\s+){{0,2}}{_NAME}(?:{_STREET_SUFFIXES})\s+{_NUMBER}\b",
        # Flat 3B / Apt. 018 / Suite 771 / H.No. 4-5-6
        rf"(?i)(?<![\w]){_UNIT}\b",
        # PIN: 560001 / ZIP: 11164 / pincode 560 001
        r"(?i)(?<![\w])(?:pin(?:\s?code)?|zip(?:\s?code)?|postal\s+code|post\s?code)\s*[:#-]?\s*"
        r"\d{3}\s?\d{2,3}(?![\w.,]?\d)",
    )
)
_WEAK_ADDRESS: Final = tuple(
    re.compile(pattern)
    for pattern in (
        # 8 wressle road (lower case) / 46 velký průhon 426 / 87 Jakobi 69 / 06 Reyes Católicos 17
        rf"(?i)(?<![\w.,]){_LEAD}{_NUMBER}[ ,]+(?:{_NAME}\s+){{0,3}}?(?:{_STREET_WORDS})\b\.?",
        rf"(?<![\w.,]){_LEAD}\d{{2,5}}\s+(?:{_NAME}\s+){{0,3}}{_NAME}\s+\d{{2,5}}(?![\w.,]?\d)",
        rf"(?<![\w.,])(?:{_NAME}\s+){{0,2}}{_NAME}\s+\d{{2,5}}[A-Za-z]?(?=\s*(?:,|$|\n))",
        # Bengaluru 560001 / Bengaluru - 560 001 / Denmark 15838 / , nan 40839
        r"(?<![\w.,])(?:[^\W\d_][\w'’-]*\s*[,-]?\s+)\d{3}\s?\d{2,3}(?![\w.,]?\d)",
    )
)
_ADDRESS_TRIGGER: Final = re.compile(
    r"(?i)\b(?:(?:my|his|her|their|our|your|home|postal|billing|shipping|mailing|permanent"
    r"|residential|new|current|delivery)\s+address(?:es)?|address(?:es)?\s*(?:is|are|was|:)"
    r"|lives?\s+(?:at|in|on)|living\s+at|located\s+at|resides?\s+at|return(?:ed)?\s+(?:it\s+)?to"
    r"|ship\s+to|deliver\s+to|send\s+(?:it\s+)?to|post(?:al)?\s?code|pin\s?code|zip)(?!\w)"
)
_TRIGGER_WORDS: Final = ("address", "live", "lives", "living", "located", "reside", "resides")
_TRIGGER_WORDS_MORE: Final = ("return", "returned", "ship", "deliver", "send", "postal", "pincode")
_YEAR_LEAD: Final = re.compile(r"(?:1[5-9]|20)\d\d\b")
_NOT_AN_ADDRESS: Final = re.compile(
    r"(?i)\b(?:(?:1[5-9]|20)\d\d|" + _MONTH + r"|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|in|on|at|of|the|and|since|from|to|until|by|during|page|chapter|section)\b"
)


def _find_addresses(text: str) -> list[Span]:
    """Street addresses, Indian and international, as the parts they are written in.

    Strong parts vouch for themselves: a house number and a street word ("12 MG Road", "2279
    President St", "2nd Cross"), a street-suffixed name and number ("Nassaustraat 123"), a unit
    ("Flat 3B", "Apt. 018"), a labelled PIN / ZIP code ("PIN 560001"). Weak parts (a number, a few
    words and a number: "87 Jakobi 69"; a place and a postcode: "Bengaluru 560001") count only in
    a document that is about an address: it has a strong part or says so ("my address", "address
    is", "lives at", "located at", "return to", "billing address", ...), and never when they hold a year, a month, a weekday or a
    preposition ("May 19, 1992", "in 1957"). Parts separated by commas, line breaks or a short city
    line are joined into one span. A year is not a house number ("1977 death in a road
    accident")."""
    spans = [
        m.span()
        for pattern in _STRONG_ADDRESS
        for m in pattern.finditer(text)
        if not _YEAR_LEAD.match(m.group())
    ]
    if spans or _ADDRESS_TRIGGER.search(text):
        spans += [
            m.span()
            for pattern in _WEAK_ADDRESS
            for m in pattern.finditer(text)
            if not _NOT_AN_ADDRESS.search(m.group())
        ]
    return _merge_near(text, sorted(spans))


_SHORT_GAP: Final = re.compile(r"[\s,]*(?:[^\W\d_][\w'’.-]*[\s,]*){0,3}")


def _merge_near(text: str, spans: list[Span]) -> list[Span]:
    """Join address parts separated only by commas, line breaks or up to three words (a city on
    its own line) into one span."""
    merged: list[Span] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or _SHORT_GAP.fullmatch(text[merged[-1][1] : start])):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


ADDRESS = Identifier(
    p.ADDRESS,
    r"(?i:\b(?:"
    + "|".join((_STREET_WORDS, *_UNIT_WORDS, *_UNIT_WORDS_MORE, *_TRIGGER_WORDS))
    + "|"
    + "|".join(_TRIGGER_WORDS_MORE)
    + r"|pin|zip|zipcode|post|postcode)\b|\b(?:house|door|plot|h\.?)\s*no\b|(?:"
    + _STREET_SUFFIXES
    + r")\s)",
    _find_addresses,
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
    return Identifier(p.ROLL_NUMBER, rust, _regex_finder("(?i)" + python))


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
