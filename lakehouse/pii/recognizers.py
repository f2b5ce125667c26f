"""Presidio recognisers of the scrubber's registry: one per identifier, plus roster names.

Every pattern entity (Aadhaar, PAN, phone, e-mail, URL, IP, card, IBAN, crypto wallet, IFSC, bank
account, UPI id, US SSN, passport, driving licence, voter id, vehicle registration, GSTIN, date of
birth, roll number) is found by its `lakehouse.pii.identifiers.Identifier`, the same definition the
residual scan and the silver gate use: `IdentifierRecognizer` only adapts it to Presidio. Findings
score 1.0 for checksum-validated types and slightly less for the rest, so that where two overlap the
more specific type names the placeholder (an e-mail over the URL inside it).

| entity | found by | score |
|---|---|---|
| identifiers | `Identifier.find` (patterns, validators, context windows) | 0.8-1.0 |
| ROLL_NUMBER | the institution's configured regexes | 0.8 |
| PERSON | roster variants (`RosterRecognizer`); NER when enabled | 1.0; spaCy's 0.85 |

Class names differ from Presidio's own: Presidio's YAML registry loader resolves recognisers by
class name among all loaded subclasses, and a clash would hijack it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from lakehouse.pii import patterns as p
from lakehouse.pii.identifiers import IDENTIFIERS, Identifier, roll_number_identifier
from lakehouse.pii.roster import variant_regex

_SCORES: dict[str, float] = {
    p.EMAIL: 1.0,
    p.AADHAAR: 1.0,
    p.CREDIT_CARD: 1.0,
    p.IBAN: 1.0,
    p.CRYPTO: 1.0,
    p.UPI: 0.95,
    p.URL: 0.6,
    p.ROLL_NUMBER: 0.8,
    p.DATE_OF_BIRTH: 0.8,
}


def results(
    recognizer: EntityRecognizer,
    *,
    entity: str,
    spans: Sequence[tuple[int, int]],
    score: float,
    name: str,
) -> list[RecognizerResult]:
    """Presidio results for `spans`, attributed to `recognizer`."""
    return [
        RecognizerResult(
            entity_type=entity,
            start=start,
            end=end,
            score=score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
            },
        )
        for start, end in spans
    ]


class IdentifierRecognizer(EntityRecognizer):
    """Presidio's view of one `Identifier`: its findings, each scored per entity type."""

    def __init__(self, identifier: Identifier) -> None:
        self.identifier = identifier
        self.score = _SCORES.get(identifier.entity, 0.9)
        self.recognizer_name = f"Lakehouse{identifier.entity.title().replace('_', '')}Recognizer"
        super().__init__(
            supported_entities=[identifier.entity],
            name=self.recognizer_name,
            supported_language="en",
        )

    def load(self) -> None:
        """Nothing to load: the identifier's regexes are compiled on first use."""

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        # No filter on `entities`: the analyzer picked this recogniser for its entity already, and
        # an ad-hoc one (roll numbers) is asked with the registry's entities, which lack its own.
        return results(
            self,
            entity=self.identifier.entity,
            spans=self.identifier.find(text),
            score=self.score,
            name=self.recognizer_name,
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
        return results(
            self,
            entity=p.PERSON,
            spans=[m.span() for m in self._regex.finditer(text)],
            score=1.0,
            name=_ROSTER_NAME,
        )


@lru_cache(maxsize=4096)
def roster_recognizer(variants: frozenset[str]) -> RosterRecognizer:
    """A cached `RosterRecognizer` per variant set (documents of one person share one)."""
    return RosterRecognizer(variants=variants)


@lru_cache(maxsize=64)
def roll_number_recognizer(roll_number_patterns: tuple[str, ...]) -> IdentifierRecognizer:
    """The institution's roll-number recogniser (`roll_number_patterns` must not be empty)."""
    identifier = roll_number_identifier(roll_number_patterns)
    if identifier is None:
        raise ValueError("a roll-number recogniser needs at least one pattern")
    return IdentifierRecognizer(identifier)


def pattern_recognizers() -> list[EntityRecognizer]:
    """The institution-independent recognisers of the scrubber's registry."""
    return [IdentifierRecognizer(identifier) for identifier in IDENTIFIERS]
