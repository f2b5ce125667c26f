"""Presidio recognisers for Indian homework, and the registry the scrubber runs.

Scores (the analyzer keeps findings at or above `PiiConfig.score_threshold`, 0.5 by default):

| entity | how | score |
|---|---|---|
| AADHAAR | 12 digits, first 2-9, optional 4-4-4 separators, Verhoeff check digit | 1.0 valid, dropped otherwise |
| PAN | `AAAPA9999A`, 4th letter a holder type | 0.85 |
| PHONE | +91/0091 + 10 digits; 10-digit mobile 6-9; 0-prefixed 11 digits | 0.7, dropped at a wrong digit count |
| EMAIL | local@domain.tld | 0.9 |
| URL | scheme or `www.`, or host under a common TLD | 0.6 |
| IP | Presidio's IpRecognizer (IPv4/IPv6, `ipaddress`-validated) | 0.6 |
| CREDIT_CARD | Presidio's CreditCardRecognizer (Luhn) | 1.0 valid, dropped otherwise |
| ROLL_NUMBER | the institution's configured regexes | 0.8 |
| PERSON | roster variants (`RosterRecognizer`); NER when enabled | 1.0; spaCy's 0.85 |

Class names differ from Presidio's own (`EmailRecognizer`, ...): Presidio's YAML registry loader
resolves recognisers by class name among all loaded subclasses, and a clash would hijack it.
No recogniser uses context words: they need lemmas, which the blank pipeline has not, and the
scores above are set so that no boost is needed.
"""

from __future__ import annotations

from functools import lru_cache

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IpRecognizer

from lakehouse.pii import patterns as p
from lakehouse.pii.checksums import verhoeff_valid
from lakehouse.pii.roster import variant_regex


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


class AadhaarRecognizer(PatternRecognizer):
    """Aadhaar numbers; a wrong Verhoeff check digit or a repeated digit is not an Aadhaar."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=p.AADHAAR,
            name="LakehouseAadhaarRecognizer",
            patterns=[Pattern("aadhaar", p.PY_AADHAAR, 0.4)],
        )

    def validate_result(self, pattern_text: str) -> bool:
        digits = _digits(pattern_text)
        return len(digits) == 12 and len(set(digits)) > 1 and verhoeff_valid(digits)


class PanRecognizer(PatternRecognizer):
    """Permanent Account Numbers (income-tax PAN)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=p.PAN,
            name="LakehousePanRecognizer",
            patterns=[Pattern("pan", p.PY_PAN, 0.85)],
        )


class IndianPhoneRecognizer(PatternRecognizer):
    """Indian phone numbers, validated by their digit count.

    +91 / 0091 must be followed by exactly 10 digits (a trunk 0 is ignored), a 0-prefixed number
    has 11 digits, a bare mobile 10 digits starting 6-9; anything else (a 12-digit marks total,
    a 9-digit roll call) is not a phone.
    """

    def __init__(self) -> None:
        super().__init__(
            supported_entity=p.PHONE,
            name="LakehouseIndianPhoneRecognizer",
            patterns=[
                Pattern("phone_international", p.PY_PHONE_INTERNATIONAL, 0.7),
                Pattern("phone_mobile", p.PY_PHONE_MOBILE, 0.7),
                Pattern("phone_trunk", p.PY_PHONE_TRUNK, 0.7),
            ],
        )

    def validate_result(self, pattern_text: str) -> bool:
        text = pattern_text.lstrip()
        digits = _digits(text)
        if text.startswith(("+", "00")):
            national = digits.removeprefix("00").removeprefix("91").removeprefix("0")
            return len(national) == 10 and national[0] != "0"
        if digits.startswith("0"):
            return len(digits) == 11
        return len(digits) == 10 and digits[0] in "6789"


class OfflineEmailRecognizer(PatternRecognizer):
    """E-mail addresses, by pattern only (Presidio's own calls tldextract, which wants network)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=p.EMAIL,
            name="LakehouseEmailRecognizer",
            patterns=[Pattern("email", p.PY_EMAIL, 0.9)],
        )


class PlainUrlRecognizer(PatternRecognizer):
    """URLs with a scheme or `www.`, and bare hosts under common TLDs (`myblog.in/about`)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity=p.URL,
            name="LakehouseUrlRecognizer",
            patterns=[Pattern("url", p.PY_URL, 0.6)],
        )


class RollNumberRecognizer(PatternRecognizer):
    """An institution's roll numbers / USNs, from `PiiConfig.roll_number_patterns`."""

    def __init__(self, roll_number_patterns: tuple[str, ...]) -> None:
        regex = p.roll_number_regex(roll_number_patterns, python=True)
        if regex is None:
            raise ValueError("RollNumberRecognizer needs at least one pattern")
        super().__init__(
            supported_entity=p.ROLL_NUMBER,
            name="LakehouseRollNumberRecognizer",
            patterns=[Pattern("roll_number", regex, 0.8)],
        )


_ROSTER_NAME = "LakehouseRosterRecognizer"


class RosterRecognizer(EntityRecognizer):
    """PERSON: the given normalised roster variants (see `lakehouse.pii.roster`) in raw text.

    The scrubber builds one per document from the variants Aho-Corasick found in it (a small,
    cached regex); `RosterRecognizer(variants=frozenset(roster.global_variants()))` covers a whole
    roster when the engine is used alone.
    """

    def __init__(self, *, variants: frozenset[str]) -> None:
        self._regex = variant_regex(variants)
        super().__init__(
            supported_entities=[p.PERSON],
            name=_ROSTER_NAME,
            supported_language="en",
        )

    def load(self) -> None:
        """Nothing to load: the regex is compiled at construction."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        if entities and p.PERSON not in entities:
            return []
        return [
            RecognizerResult(
                entity_type=p.PERSON,
                start=m.start(),
                end=m.end(),
                score=1.0,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: _ROSTER_NAME,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for m in self._regex.finditer(text)
        ]


@lru_cache(maxsize=4096)
def roster_recognizer(variants: frozenset[str]) -> RosterRecognizer:
    """A cached `RosterRecognizer` per variant set (documents of one person share one)."""
    return RosterRecognizer(variants=variants)


@lru_cache(maxsize=64)
def roll_number_recognizer(roll_number_patterns: tuple[str, ...]) -> RollNumberRecognizer:
    return RollNumberRecognizer(roll_number_patterns)


def pattern_recognizers() -> list[EntityRecognizer]:
    """The institution-independent recognisers of the scrubber's registry."""
    return [
        AadhaarRecognizer(),
        PanRecognizer(),
        IndianPhoneRecognizer(),
        OfflineEmailRecognizer(),
        PlainUrlRecognizer(),
        IpRecognizer(supported_entity=p.IP, context=[]),
        CreditCardRecognizer(supported_entity=p.CREDIT_CARD, context=[]),
    ]
