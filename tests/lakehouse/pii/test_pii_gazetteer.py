"""Names the NER model misses, found by the census gazetteer and context (`lakehouse.pii.gazetteer`),
on sentences from GAP's real Wikipedia snippets and SAF's real answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.pii import gazetteer as g
from lakehouse.pii import names as n

pytestmark = pytest.mark.skipif(
    not (n.model_available() and g.available()), reason="NER model or names package missing"
)


def _scrub(texts: list[str]) -> list[str]:
    found = n.find_names(texts)
    return [n.replace_spans(t, f.spans, "<PERSON>") for t, f in zip(texts, found, strict=True)]


def test_surnames_alone_and_possessives_are_names() -> None:
    texts = [
        "Dearing entered West Point in 1858 and resigned on April 22, 1861.",
        "Golonka has also had supporting roles in some 30 films.",
        "The details of Kenny's mission were later published in the Gaelic American.",
        "Soon after, Lieutenant George arrives to rescue the flyers.",
    ]
    out = _scrub(texts)
    for leaked, text in zip(("Dearing", "Golonka", "Kenny", "George"), out, strict=True):
        assert leaked not in text, text


def test_a_found_name_goes_wherever_it_stands_in_the_document() -> None:
    text = "Zoe Telford played the officer. Telford later said that Zoe liked the role."
    assert _scrub([text]) == [
        "<PERSON> played the officer. <PERSON> later said that <PERSON> liked the role."
    ]


def test_ordinary_words_places_and_months_stay() -> None:
    texts = [
        "Transparent bridges hold table information. Bridge tables start empty; a bridge learns.",
        "Turkey's area makes it the world's 37th-largest country.",
        "May brings rain. In August, the queue is empty.",
        "The sender waits for the acknowledgement before it sends the next frame.",
    ]
    assert _scrub(texts) == texts


def test_names_the_homework_is_about_stay() -> None:
    found = n.find_names(["Newton's laws, as Newton wrote them."], public=["Newton's laws"])
    assert found[0].spans == []


def test_name_files_that_differ_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(g.NAME_FILES, "dist.male.first", "0" * 64)
    g.census_names.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="sha256"):
            g.census_names()
    finally:
        monkeypatch.undo()
        g.census_names.cache_clear()
