"""Street addresses, Indian ("Flat 3B, 2nd Cross, MG Road, Bengaluru 560001") and international:
a street or unit word next to a number, or a weaker shape after a trigger word ("lives at")."""

from __future__ import annotations

import re
from typing import Final

from lakehouse.pii import patterns as p
from lakehouse.pii.identifier import (
    MONTH,
    Identifier,
    Span,
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
    r"(?i)\b(?:(?:1[5-9]|20)\d\d|" + MONTH + r"|monday|tuesday|wednesday|thursday|friday"
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
