"""The residual scan finds what is left, and nothing in properly scrubbed text."""

from __future__ import annotations

import polars as pl

from lakehouse.pii import PiiConfig, PiiEngine, Roster, residual_scan, scrub_frame
from lakehouse.pii.checksums import verhoeff_check_digit

AADHAAR = "87651234123" + verhoeff_check_digit("87651234123")
BAD = AADHAAR[:-1] + str((int(AADHAAR[-1]) + 3) % 10)
MARKS = "98765432101" + str((int(verhoeff_check_digit("98765432101")) + 1) % 10)


def test_finds_what_is_left(roster: Roster) -> None:
    f = pl.DataFrame(
        {
            "answer_text": [
                f"aadhaar {AADHAAR[:4]} {AADHAAR[4:8]} {AADHAAR[8:]} and decoy {BAD}",
                f"PAN abcpk1234f; call +91 98765 43210 or 080-2345-6789; total {MARKS}",
                "mail x.y@gmail.com; card 4111-1111-1111-1111; by Priya Sharma and Rao sir",
            ],
            "feedback": [None, "<PERSON> <PHONE>", ""],
        }
    )
    report = residual_scan(f, roster=roster)
    assert {k: v for k, v in report.counts.items() if v} == {
        "AADHAAR": 1,
        "PAN": 1,
        "PHONE": 2,
        "EMAIL": 1,
        "CREDIT_CARD": 1,
        "PERSON": 2,
    }
    assert report.cells_with_hits == 3
    assert report.cells == 4
    assert report.total == 8


def test_scrubbed_frame_is_clean(
    roster: Roster, pii_config: PiiConfig, pii_engine: PiiEngine
) -> None:
    f = pl.DataFrame(
        {
            "student_id": ["S001"],
            "answer_text": [f"Priya Sharma, {AADHAAR}, ABCPK1234F, 9876543210, p@x.in"],
        }
    )
    before = residual_scan(f, roster=roster)
    assert before.total == 5
    after = residual_scan(
        scrub_frame(f, roster=roster, config=pii_config, engine=pii_engine).frame, roster=roster
    )
    assert after.total == 0


def test_empty_inputs() -> None:
    assert residual_scan(pl.DataFrame({"x": [1]})).total == 0
    assert (
        residual_scan(
            pl.DataFrame({"answer_text": [None]}, schema={"answer_text": pl.String})
        ).cells
        == 0
    )
