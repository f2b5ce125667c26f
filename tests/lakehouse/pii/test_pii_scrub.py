"""scrub_frame: placeholders, consistency between answer and feedback, counts, shape."""

from __future__ import annotations

import polars as pl

from lakehouse.pii import ENTITY_TYPES, PiiConfig, PiiEngine, Roster, scrub_frame
from lakehouse.pii.checksums import verhoeff_check_digit

AADHAAR = "56781234123" + verhoeff_check_digit("56781234123")


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "submission_id": ["a", "b", "c", "d"],
            "student_id": ["S001", "S002", "S001", "S002"],
            "question_text": ["State Ohm's law."] * 4,
            "answer_text": [
                "I am Priya Sharma; call 98765 43210.",
                f"Arjun here. Aadhaar {AADHAAR}, mail arjun.n@gmail.com, USN 1MS21CS042.",
                "V = IR, for a resistor at constant temperature.",
                None,
            ],
            "feedback": ["Well done, Priya! - Lakshmi Rao", "Good, Arjun.", None, ""],
            "grade": [8.0, 7.0, 9.0, None],
        }
    )


def test_placeholders_and_counts(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    result = scrub_frame(frame(), roster=roster, config=pii_config, engine=pii_engine)
    out = result.frame
    assert out.columns == frame().columns
    assert out.schema == frame().schema
    assert out.get_column("answer_text").to_list() == [
        "I am <PERSON>; call <PHONE>.",
        "<PERSON> here. Aadhaar <AADHAAR>, mail <EMAIL>, USN <ROLL_NUMBER>.",
        "V = IR, for a resistor at constant temperature.",
        None,
    ]
    assert out.get_column("feedback").to_list() == [
        "Well done, <PERSON>! - <PERSON>",
        "Good, <PERSON>.",
        None,
        "",
    ]
    assert out.get_column("question_text").to_list() == ["State Ohm's law."] * 4
    assert set(result.counts) == set(ENTITY_TYPES)
    assert result.counts["PERSON"] == 5
    assert result.counts["PHONE"] == result.counts["AADHAAR"] == result.counts["EMAIL"] == 1
    assert result.counts["ROLL_NUMBER"] == 1
    assert result.documents == 9  # non-empty cells
    assert result.distinct_documents == 6  # the shared question counted once
    assert result.analyzed < result.distinct_documents  # the pre-filter skipped some


def test_same_placeholder_in_answer_and_feedback(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    f = pl.DataFrame(
        {
            "student_id": ["S002"],
            "answer_text": ["Answer by Arjun Nair"],
            "feedback": ["Arjun Nair, good work. ARJUN, add units."],
        }
    )
    out = scrub_frame(f, roster=roster, config=pii_config, engine=pii_engine).frame
    assert out.item(0, "answer_text") == "Answer by <PERSON>"
    assert out.item(0, "feedback") == "<PERSON>, good work. <PERSON>, add units."


def test_author_tokens_only_in_author_scoped_columns(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    f = pl.DataFrame({"student_id": ["S002"], "question_text": ["Arjun pulls a bow."]})
    out = scrub_frame(f, roster=roster, config=pii_config, engine=pii_engine).frame
    assert out.item(0, "question_text") == "Arjun pulls a bow."


def test_entity_column_lists_replacements_per_row(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    result = scrub_frame(
        frame(), roster=roster, config=pii_config, engine=pii_engine, entity_column="ents"
    )
    per_row = [sorted(x) for x in result.frame.get_column("ents").to_list()]
    assert per_row[0] == ["PERSON", "PERSON", "PERSON", "PHONE"]
    assert per_row[2] == [] and per_row[3] == []


def test_without_roster_or_text_columns(pii_config: PiiConfig, pii_engine: PiiEngine) -> None:
    f = pl.DataFrame({"x": [1], "answer_text": ["Priya Sharma, 9876543210"]})
    out = scrub_frame(f, config=pii_config, engine=pii_engine, author_column=None)
    assert out.frame.item(0, "answer_text") == "Priya Sharma, <PHONE>"
    empty = scrub_frame(pl.DataFrame({"x": [1]}), config=pii_config, engine=pii_engine)
    assert empty.documents == 0 and sum(empty.counts.values()) == 0


def test_no_text_in_logs(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine, caplog: object
) -> None:
    import logging

    import pytest

    assert isinstance(caplog, pytest.LogCaptureFixture)
    with caplog.at_level(logging.DEBUG, logger="lakehouse.pii"):
        scrub_frame(frame(), roster=roster, config=pii_config, engine=pii_engine)
    for secret in ("Priya", "98765", AADHAAR, "arjun.n", "S001"):
        assert secret not in caplog.text


def test_the_analyzer_is_asked_only_for_types_whose_candidates_match() -> None:
    """Each analysed document asks Presidio only for the entity types whose candidate regex
    matched it (polars, column-wise); NER's PERSON is always asked; none asked: not analysed."""
    from lakehouse.pii.presidio_pass import _asked

    base = ["CREDIT_CARD", "PERSON", "PHONE_NUMBER"]
    assert _asked(base, ["PHONE_NUMBER"], ner=False) == ["PHONE_NUMBER"]
    assert _asked(base, ["PHONE_NUMBER"], ner=True) == ["PERSON", "PHONE_NUMBER"]
    assert _asked(base, [], ner=False) == []
