"""What an identifier is: a pre-filter regex that both Python and polars run, and a validated finder.

Each `Identifier` has
- `candidates`: a regex that is valid, and means the same, in Python's `re` and in Rust's `regex`
  (polars). Any text in which the identifier can be found contains a match of it: `find` returns
  nothing without one, by construction, so a column-wise `str.contains(candidates)` may skip every
  other document (the scrubber's pre-filter, the gate's and the residual scan's first pass);
- `find(text)`: the spans of the identifier in `text`, validated (Verhoeff, Luhn, the IBAN
  checksum, `phonenumbers`, Presidio's own validators) and, where a value is ambiguous on its own,
  accepted only with a context word nearby ("passport", "born", "account", ...).

Where Presidio ships a recogniser for the identifier, `find` runs that recogniser's own patterns
and validation (`presidio_finder`); context is checked here, over a character window, because
Presidio's context enhancer needs lemmas that the blank spaCy pipeline lacks. A Presidio finding
scoring below `STRONG_SCORE` (a bare 9-digit number for an SSN, a passport or a licence) is kept
only with one of the recogniser's context words nearby.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from presidio_analyzer import PatternRecognizer

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


def decimal_edge(text: str, span: Span) -> bool:
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


def regex_finder(
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
            if numeric and decimal_edge(text, span):
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
            if r.end - r.start < min_length or (numeric and decimal_edge(text, span)):
                continue
            strong = r.score >= strong_score and not always_context
            if strong or has_context(text, span, words):
                spans.add(span)
        if extra is not None:
            spans.update(extra(text))
        return sorted(spans)

    return find


MONTH: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
"""A month's name or abbreviation (a regex, case as the caller sets)."""
