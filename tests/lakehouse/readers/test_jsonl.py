"""JSONL reader: keys are data, never SQL or column selectors; real text reads back unchanged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.conftest import WriteJsonl
from tests.lakehouse.readers.readers_support import read_all, real_answers


def test_real_answers_and_odd_keys_read_back(write_jsonl: WriteJsonl) -> None:
    rows = real_answers()
    odd = {"'); SELECT content FROM read_text('/etc/passwd') --": "x", "^.*$": 1}
    path = write_jsonl("saf.jsonl", [{**r, **odd} for r in rows])

    frame = read_all(path)

    assert frame.get_column("structural_reason").null_count() == len(rows)
    assert frame.get_column("answer_text").to_list() == [r["answer_text"] for r in rows]
    extra = json.loads(frame.get_column("extra")[0])
    assert extra == {**odd, "teacher's note": rows[0]["teacher's note"]}


def test_gzip_matches_plain(write_jsonl: WriteJsonl, night_dir: Path) -> None:
    rows = real_answers(50)
    plain = write_jsonl("a.jsonl", rows)
    packed = night_dir / "b.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))

    assert (
        read_all(packed)
        .drop("source_file", "file_sha256")
        .equals(read_all(plain).drop("source_file", "file_sha256"))
    )
