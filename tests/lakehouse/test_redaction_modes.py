"""A redacted landed file keeps its permission bits under a run's private umask (077): the
institution's account must still read what it uploaded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse.access import PRIVATE_UMASK
from lakehouse.redaction import Needles, redact_night


@pytest.fixture
def private_umask() -> Iterator[None]:
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("private_umask")
def test_a_redacted_file_keeps_its_mode_under_the_private_umask(tmp_path: Path) -> None:
    hit = tmp_path / "hit.jsonl"
    hit.write_text('{"student_id": "S00000007"}\n{"student_id": "S00000001"}\n')
    os.chmod(hit, 0o640)
    assert redact_night(tmp_path, Needles(ids=("S00000007",))) == {"hit.jsonl": 1}
    assert hit.stat().st_mode & 0o777 == 0o640
    assert hit.read_text() == '{"student_id": "S00000001"}\n'
