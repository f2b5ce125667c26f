"""One regex for many literal words, factored as a trie (`ab(?:c|d)`).

Thousands of roster variants or raw ids compile to a small pattern, and Python's backtracking
engine tries each shared prefix once instead of once per word. Used by the roster's name regexes
and by the gates' literal-term masks (`expectations.patterns`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable


def trie_regex(words: Iterable[str], *, char: Callable[[str], str] = re.escape) -> str:
    """An alternation matching exactly `words`; `char` renders each character (default: escaped
    literally; the roster renders a space as any run of separators)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [char(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)
