"""Roster names in several spellings, found by the scrubber and left alone when not a name."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.pii import PiiConfig, PiiEngine, Roster, load_roster, scrub_frame


def scrub_one(
    text: str, *, roster: Roster, config: PiiConfig, engine: PiiEngine, author: str = "S999"
) -> str:
    frame = pl.DataFrame({"student_id": [author], "answer_text": [text]})
    out = scrub_frame(frame, roster=roster, config=config, engine=engine)
    return str(out.frame.item(0, "answer_text"))


@pytest.mark.parametrize(
    "text",
    [
        "Written by Priya Kumari Sharma.",
        "Written by Priya Sharma.",
        "Written by PRIYA SHARMA.",
        "Written by priya   sharma.",
        "Written by Priya\nSharma.",
        "Written by Priya S.",
        "Written by P. Sharma.",
        "Written by P K Sharma.",
        "Written by Sharma Priya.",
        "Thanks to Rao madam.",
        "Thanks to Dr. Rao.",
        "Written by प्रिया शर्मा.",
        "Guardian: Suresh Nair.",
        "Teacher: लक्ष्मी राव",
    ],
)
def test_roster_spellings_are_scrubbed(
    text: str, roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    out = scrub_one(text, roster=roster, config=pii_config, engine=pii_engine)
    assert "<PERSON>" in out
    for part in ("Priya", "priya", "PRIYA", "Sharma", "Rao", "Suresh", "प्रिया", "लक्ष्मी"):
        assert part not in out


@pytest.mark.parametrize(
    "text",
    [
        "Programs like sharmanet are not names.",  # a name inside a word
        "Priya is a common word here.",  # a bare first name outside the author's own work
        "The Nair river.",  # a bare surname
    ],
)
def test_not_names_are_kept(
    text: str, roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    assert scrub_one(text, roster=roster, config=pii_config, engine=pii_engine) == text


def test_author_first_name_is_scrubbed_in_own_answer(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    out = scrub_one(
        "I, Priya, think so.", roster=roster, config=pii_config, engine=pii_engine, author="S001"
    )
    assert out == "I, <PERSON>, think so."


def test_variants_need_a_long_part() -> None:
    r = Roster.from_frame(
        pl.DataFrame({"person_id": ["x"], "role": ["student"], "full_name": ["D'Souza"]})
    )
    assert "d s" not in r.global_variants()
    assert "d souza" in r.global_variants()


def test_load_roster_csv_and_unknown_roles(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "person_id,role,full_name,date_of_birth\n"
        "S1,student,Meena Iyer,2008-01-01\nX1,janitor,Ravi Kumar,\nS2,student,,\n"
    )
    r = load_roster(path)
    assert r.people.get_column("person_id").to_list() == ["S1"]
    assert "meena iyer" in r.global_variants()
    assert "Meena" not in repr(r)


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ValueError, match="full_name"):
        Roster.from_frame(pl.DataFrame({"person_id": ["a"], "role": ["student"]}))
