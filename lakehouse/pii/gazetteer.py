"""Names the NER model misses, found by a gazetteer and context: "Dearing entered West Point",
"Crewe's use of a harmonica", "... as noted by Yuichi".

The small English model finds most names but misses a surname standing alone at a sentence's start,
a possessive, and names it never saw. A title-case word is taken for a name when it

- is not a stop word, not written in lower case anywhere in the same batch of texts, not inside
  an entity the model typed as something else (a place, an organisation, a date), and
- is a census first name (US Census lists, `names` 0.3.0 on PyPI: public-domain data under the
  package's MIT licence) not starting a sentence, or is a census first name or surname (94,293
  entries) or a word the model's vocabulary never saw in lower case ("Golonka", "Seetha") where
  names stand: starting a sentence before a lower-case word, before a possessive, after a comma or
  a word that introduces a person ("by", "with", "and"). A one-word entity the model typed as a
  place or organisation does not stop such a word there ("Kenny's mission": GPE).

Found names join the document's string coreference (`lakehouse.pii.names`), so every later mention
goes as well. Over-scrubbing is measured in `benchmarks/pii.py --real` on SAF's answers.
The name files' sha256 are checked on load: a different file is refused.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Final

from spacy.lang.en.stop_words import STOP_WORDS

NAME_FILES: Final[dict[str, str]] = {
    "dist.all.last": "b0e2b3743ccbad641ca48b344c24cdebcd1d9a1f76dc6dbf05986f2919f0b4e1",
    "dist.female.first": "bd2f310fc4e5d5e5ea122c9d4342c9821145823118eb20db1647f305ec77b358",
    "dist.male.first": "0a5078ef6effe3b483d15b0f7f95047662126c9bfb624ecd5e5b978fc0f2470b",
}
"""The `names` package's files and their sha256 (names 0.3.0, sdist sha256
726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671)."""

_TITLE_WORD: Final = re.compile(r"(?<![\w'’.-])[A-Z][a-z]+(?:[A-Z][a-z]+)?(?![\w-])")
_BEFORE_NAME: Final = frozenset(
    {"by", "with", "and", "to", "from", "for", "as", "than", "like", "named", "called", "told"}
)
_LAST_WORD: Final = re.compile(r"([A-Za-z]+)\W*$")
_NEXT_LOWER: Final = re.compile(r"[ \t]+[a-z]")
_POSSESSIVE: Final = re.compile(r"(?:'s|’s|'(?!\w))")
_CALENDAR: Final = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


def available() -> bool:
    """Whether the `names` package (the census name lists) is installed."""
    try:
        importlib.resources.files("names")
    except ModuleNotFoundError:
        return False
    return True


@lru_cache(maxsize=4)
def census_names(kind: str = "") -> frozenset[str]:
    """The census list's names, upper case, after checking the files: `kind` "first" for first
    names only, "" for first names and surnames."""
    root = importlib.resources.files("names")
    out: set[str] = set()
    for name, expected in NAME_FILES.items():
        if kind and kind not in name:
            continue
        data = (root / name).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise RuntimeError(
                f"names/{name} has sha256 {digest}, expected {expected}; reinstall names==0.3.0"
            )
        out.update(line.split()[0] for line in data.decode("ascii").splitlines() if line.strip())
    return frozenset(out)


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip()
    return not before or before[-1] in '.!?\n"“(:;'


def _in_name_place(text: str, start: int, end: int) -> bool:
    """Starting a sentence before a lower-case word, before a possessive, or after a comma or
    a word that introduces a person ("by", "with", "and", ...)."""
    before = text[max(0, start - 40) : start].rstrip()
    after = text[end : end + 3]
    if _POSSESSIVE.match(after):
        return True
    if (not before or before[-1] in '.!?\n"“(') and _NEXT_LOWER.match(text, end):
        return True
    if before.endswith(","):
        return True
    last = _LAST_WORD.search(before)
    return bool(last and last.group(1).lower() in _BEFORE_NAME)


def gazetteer_names(
    text: str,
    *,
    lower_words: frozenset[str] | set[str],
    known_word: Callable[[str], bool],
    blocked: Iterable[tuple[int, int]],
) -> list[tuple[int, int]]:
    """Spans of title-case words in `text` taken for names (see the module docstring);
    `known_word(w)`: the model's vocabulary holds lower-case `w`; `blocked`: spans of entities
    the model typed as something other than a person."""
    census, first = census_names(), census_names("first")
    taken = sorted(blocked)
    out: list[tuple[int, int]] = []
    for m in _TITLE_WORD.finditer(text):
        word = m.group()
        low = word.lower()
        if len(word) < 3 or low in STOP_WORDS or low in lower_words or low in _CALENDAR:
            continue
        upper = word.upper()
        covers = [(s, e) for s, e in taken if s < m.end() and m.start() < e]
        # the small model types one first name in several as a place ("Rebecca's sister"):
        # an entity of this one word does not stop a census first name in a name's place
        if covers and not (
            covers == [m.span()]
            and (upper in census or not known_word(low))
            and _in_name_place(text, m.start(), m.end())
        ):
            continue
        first_name = upper in first and not _sentence_start(text, m.start())
        if first_name or (
            (upper in census or not known_word(low)) and _in_name_place(text, m.start(), m.end())
        ):
            out.append(m.span())
    return out
