"""Each recogniser on true and false cases, through the built analyzer."""

from __future__ import annotations

import pytest

from lakehouse.pii import PiiConfig, PiiEngine
from lakehouse.pii.checksums import verhoeff_check_digit
from lakehouse.pii.recognizers import roll_number_recognizer

AADHAAR = "23412341234" + verhoeff_check_digit("23412341234")
BAD_AADHAAR = AADHAAR[:-1] + str((int(AADHAAR[-1]) + 1) % 10)
MARKS = "98765432101" + str((int(verhoeff_check_digit("98765432101")) + 1) % 10)


def found(engine: PiiEngine, config: PiiConfig, text: str) -> set[tuple[str, str]]:
    results = engine.analyzer.analyze(
        text=text,
        language="en",
        ad_hoc_recognizers=[roll_number_recognizer(config.roll_number_patterns)],
    )
    return {(r.entity_type, text[r.start : r.end]) for r in results}


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        (f"My Aadhaar is {AADHAAR}.", "AADHAAR", AADHAAR),
        (f"Aadhaar: {AADHAAR[:4]} {AADHAAR[4:8]} {AADHAAR[8:]}", "AADHAAR", None),
        ("PAN: ABCPK1234F", "PAN", "ABCPK1234F"),
        ("Call +91 98765 43210 today", "PHONE", "+91 98765 43210"),
        ("Call +91-9876543210", "PHONE", "+91-9876543210"),
        ("WhatsApp: 9876543210", "PHONE", "9876543210"),
        ("office 080-2345-6789 please", "PHONE", "080-2345-6789"),
        ("landline (0824) 245 1234", "PHONE", "(0824) 245 1234"),
        ("mail priya.s84@yahoo.co.in now", "EMAIL", "priya.s84@yahoo.co.in"),
        ("see https://example.org/a?b=1.", "URL", "https://example.org/a?b=1"),
        ("see www.myblog.in", "URL", "www.myblog.in"),
        ("server 192.168.10.20 is down", "IP", "192.168.10.20"),
        ("card 4111 1111 1111 1111", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("USN: 1MS21CS042", "ROLL_NUMBER", "1MS21CS042"),
    ],
)
def test_recognises(
    pii_engine: PiiEngine, pii_config: PiiConfig, text: str, entity: str, value: str | None
) -> None:
    hits = found(pii_engine, pii_config, text)
    assert any(e == entity and (value is None or v == value) for e, v in hits), hits


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        (f"Total marks {BAD_AADHAAR} as per the portal", "AADHAAR"),  # wrong Verhoeff digit
        ("Reference 1111 1111 1111", "AADHAAR"),  # first digit 0/1 and repeated
        (f"Total marks {MARKS} this term", "PHONE"),  # 12 digits: not a phone
        (f"Total marks {MARKS} this term", "AADHAAR"),  # nor an Aadhaar (check digit)
        ("Hall ticket 5234567890123", "PHONE"),
        ("It happened in 1947, speed 299792458 m/s", "PHONE"),
        ("Total 08023456 marks", "PHONE"),  # 0-prefixed, 8 digits, no phone word
        ("Answer: ABCDE12345", "PAN"),
        ("card 4111 1111 1111 1112", "CREDIT_CARD"),  # Luhn fails
        ("version 1.2.3 of the file", "IP"),
        ("Node.js and file.py", "URL"),
        ("USN: 2MS21CS042", "ROLL_NUMBER"),
    ],
)
def test_rejects(pii_engine: PiiEngine, pii_config: PiiConfig, text: str, entity: str) -> None:
    hits = found(pii_engine, pii_config, text)
    assert not any(e == entity for e, _ in hits), hits


def test_engine_names_its_nlp_engine(pii_engine: PiiEngine) -> None:
    assert not pii_engine.ner
    assert "blank" in pii_engine.nlp_engine_name


def test_ner_on_without_model_is_a_clear_error(tmp_path: object) -> None:
    from lakehouse.pii import build_engine

    with pytest.raises(RuntimeError, match="not installed"):
        build_engine(config=PiiConfig(ner="on", ner_model="no_such_spacy_model_pkg"))


def test_config_rejects_lookaround_roll_patterns() -> None:
    with pytest.raises(ValueError, match="look-around"):
        PiiConfig(roll_number_patterns=(r"(?<!\d)1MS\d{5}",))
