"""Each planted defect, read by the real readers and validated, is quarantined for the reason the
generator's truth manifest promises (duplicate ids are bronze's to find, across lines)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lakehouse.contract import CONTRACT_FIELDS
from lakehouse.generate.malformed import DEFECTS, csv_line, defect_counts, json_line
from lakehouse.validate import validate
from tests.lakehouse.readers.readers_support import read_all
from tests.lakehouse.records import VALID_RECORD

RECORD = VALID_RECORD
LINE_DEFECTS = [d for d in DEFECTS if d.name != "duplicate_id"]


def _reason(path: Path) -> str:
    raw = read_all(path)
    _, bad = validate(raw)
    assert bad.height == 1, bad
    return str(bad["reason"][0])


@pytest.mark.parametrize(
    "defect", [d for d in LINE_DEFECTS if "jsonl" in d.formats], ids=lambda d: d.name
)
@pytest.mark.parametrize("variant", [0, 1])
def test_json_defects_quarantine_for_their_reason(tmp_path: Path, defect, variant: int) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(json_line(RECORD, defect.name, variant=variant) + b"\n")
    assert _reason(path) == defect.reason


@pytest.mark.parametrize(
    "defect", [d for d in LINE_DEFECTS if "csv" in d.formats], ids=lambda d: d.name
)
def test_csv_defects_quarantine_for_their_reason(tmp_path: Path, defect) -> None:
    path = tmp_path / "a.csv"
    header = (",".join(CONTRACT_FIELDS) + "\n").encode()
    path.write_bytes(header + csv_line(RECORD, defect.name, variant=0))
    assert _reason(path) == defect.reason


def test_every_defect_is_planted_at_least_once_and_more_in_big_nights() -> None:
    rng = np.random.default_rng(0)
    small = defect_counts(100, rng)
    assert set(small) == {d.name for d in DEFECTS} and min(small.values()) >= 1
    assert min(defect_counts(100_000, rng).values()) == 50
