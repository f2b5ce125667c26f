"""Landing redaction: each format loses exactly the student's records, other bytes stay, and a
file holding none of them is not touched (so the landing sensor settles after one re-run)."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path

import polars as pl
import pytest

from lakehouse.redaction import Needles, redact_file, redact_night, redact_roster

GONE = Needles(ids=("S00000007",), names=("Asha Rao",))


def _line(sid: str, answer: str = "an answer") -> str:
    return json.dumps({"submission_id": f"sub-{sid}", "student_id": sid, "answer_text": answer})


def test_jsonl_loses_the_student_s_records_by_field_or_text(tmp_path: Path) -> None:
    lines = [
        _line("S00000001"),
        _line(" s00000007 "),  # the id field, in another case and padded
        '{"submission_id": "torn", "answer_text": "by Asha Rao", "stud',  # torn, names her
        _line("S00000070"),  # a longer id that only starts like hers
        _line("S00000002", "I worked with asha rao on this"),  # names her, any case
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert redact_file(path, GONE) == 3
    assert path.read_text() == "\n".join([lines[0], lines[3]]) + "\n"


def test_gzip_csv_and_parquet(tmp_path: Path) -> None:
    gz = tmp_path / "b.jsonl.gz"
    gz.write_bytes(gzip.compress(f"{_line('S00000007')}\n{_line('S00000003')}\n".encode()))
    assert redact_file(gz, GONE) == 1
    assert gzip.decompress(gz.read_bytes()).decode() == _line("S00000003") + "\n"

    csv = tmp_path / "c.csv"
    csv.write_text(
        "submission_id,student_id,answer_text\n"
        'x1,S00000001,"two\nlines"\n'
        'x2,S00000007,"her answer\nover two lines"\n'
        "x3,S00000003,fine\n"
    )
    assert redact_file(csv, GONE) == 1
    assert csv.read_text() == (
        'submission_id,student_id,answer_text\nx1,S00000001,"two\nlines"\nx3,S00000003,fine\n'
    )

    parquet = tmp_path / "d.parquet"
    pl.DataFrame(
        {"student_id": ["S00000007", "S00000004"], "answer_text": ["a", "b"]}
    ).write_parquet(parquet)
    assert redact_file(parquet, GONE) == 1
    assert pl.read_parquet(parquet)["student_id"].to_list() == ["S00000004"]


def test_a_torn_gzip_stays_torn_without_the_student(tmp_path: Path) -> None:
    torn = tmp_path / "t.jsonl.gz"
    whole = gzip.compress(f"{_line('S00000003')}\n{_line('S00000007')}\n".encode())
    torn.write_bytes(whole[:-12])  # the end-of-stream marker and some data lost
    assert redact_file(torn, GONE) == 1
    with pytest.raises(EOFError):
        gzip.decompress(torn.read_bytes())
    reader = zlib.decompressobj(wbits=31)
    assert b"S00000007" not in reader.decompress(torn.read_bytes())


def test_a_file_without_the_student_is_left_untouched(tmp_path: Path) -> None:
    night = tmp_path / "2026-01-05"
    night.mkdir()
    keep = night / "keep.jsonl"
    keep.write_text(_line("S00000001") + "\n")
    hit = night / "hit.jsonl"
    hit.write_text(_line("S00000007") + "\n" + _line("S00000001") + "\n")
    os.utime(keep, (1_000_000, 1_000_000))
    os.chmod(hit, 0o640)
    assert redact_night(night, GONE) == {"hit.jsonl": 1}
    assert keep.stat().st_mtime == 1_000_000
    assert hit.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in night.iterdir()) == ["hit.jsonl", "keep.jsonl"]
    # a second pass changes nothing
    before = hit.stat().st_mtime_ns
    assert redact_night(night, GONE) == {}
    assert hit.stat().st_mtime_ns == before


def test_roster_row_removed(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "person_id,role,full_name\nS00000001,student,Ravi Gupta\nS00000007,student,Asha Rao\n"
    )
    assert redact_roster(roster, ["S00000007"]) == 1
    assert roster.read_text() == "person_id,role,full_name\nS00000001,student,Ravi Gupta\n"
    assert redact_roster(roster, ["S00000007"]) == 0
