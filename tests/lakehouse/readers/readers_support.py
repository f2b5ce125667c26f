"""Helpers for the reader tests: read a landed file whole, and real answers from ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from lakehouse.readers import SourceFile, file_sha256, read_batch_file
from tests.conftest import REF
from tests.shared_data import SAF, require


def read_all(path: Path) -> pl.DataFrame:
    src = SourceFile(path, path.name, REF.institution_id, REF.night, file_sha256(path))
    return pl.concat(list(read_batch_file(src, batch_rows=64)), how="vertical")


def real_answers(limit: int = 200) -> list[dict[str, str]]:
    """SAF short answers (real student text with quotes, commas and newlines) as contract cells."""
    rows: list[dict[str, str]] = []
    with open(require(SAF), encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            saf = json.loads(line)
            rows.append(
                {
                    "submission_id": f"saf-{i:05d}",
                    "question_text": saf["question"],
                    "answer_text": saf["answer"],
                    "teacher's note": saf["feedback"],
                }
            )
    return rows
