"""The identifiers no layer past bronze may hold, as regexes for the silver gate.

These are deliberately independent of the scrubber (`lakehouse.pii`) and broader than it: a gate
that reused the scrubber's own patterns could never catch the scrubber's blind spots. They avoid
look-arounds, `\\d`, `\\w`, `\\s` and `\\b`, so pandas hands them to Arrow's RE2 (linear time, and a
big alternation of raw ids or names compiles to one automaton) and they mean the same in Python's
`re`, which pandas falls back to for non-Arrow strings. A match only has to be found, never
extracted, so the boundary characters are simply part of the match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

_DIGIT_BEFORE: Final = r"(?:^|[^0-9])"
_DIGIT_AFTER: Final = r"(?:[^0-9]|$)"
_WORD_BEFORE: Final = r"(?:^|[^A-Za-z0-9_])"
_WORD_AFTER: Final = r"(?:[^A-Za-z0-9_]|$)"

AADHAAR: Final = _DIGIT_BEFORE + r"[0-9]{4} ?[0-9]{4} ?[0-9]{4}" + _DIGIT_AFTER
"""12 digits, in one run or spaced 4-4-4."""

AADHAAR_DIGITS: Final = r"(?:^|[^0-9])([0-9]{4} ?[0-9]{4} ?[0-9]{4})(?:[^0-9]|$)"
"""The same, capturing the digits (the silver gate keeps only checksum-valid ones)."""

PAN: Final = r"(?:^|[^A-Za-z0-9])[A-Z]{5}[0-9]{4}[A-Z](?:[^A-Za-z0-9]|$)"

PHONE: Final = (
    r"(?:\+ ?91[ -]?[0-9]{5}[ -]?[0-9]{5}"  # +91 98765 43210, +919876543210
    + r"|"
    + _DIGIT_BEFORE
    + r"0[0-9]{2,4}[ -]?[0-9]{6,8}"  # 0-prefixed: 09876543210, 080-23456789
    + _DIGIT_AFTER
    + r"|"
    + _DIGIT_BEFORE
    + r"[6-9][0-9]{4}[ -]?[0-9]{5}"  # a 10-digit mobile, 6-9 first
    + _DIGIT_AFTER
    + r")"
)

EMAIL: Final = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"

PII_PATTERNS: Final[dict[str, str]] = {
    "aadhaar": AADHAAR,
    "pan": PAN,
    "phone": PHONE,
    "email": EMAIL,
}


def _trie_pattern(terms: Iterable[str]) -> str:
    """One regex matching exactly the given literal terms, factored as a trie (`ab(?:c|d)`), so
    thousands of ids compile to a small pattern."""
    trie: dict[str, dict] = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return render(trie)


def literal_terms_pattern(terms: Iterable[str], *, ignore_case: bool = False) -> str | None:
    """A regex finding any of `terms` as a whole word (not inside a longer id or word); None when
    there are no terms. Blank terms are ignored."""
    cleaned = sorted({t.strip() for t in terms if t and t.strip()})
    if not cleaned:
        return None
    if ignore_case:
        cleaned = sorted({t.lower() for t in cleaned})
    body = _trie_pattern(cleaned)
    return ("(?i)" if ignore_case else "") + _WORD_BEFORE + "(?:" + body + ")" + _WORD_AFTER
