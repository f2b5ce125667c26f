"""Which students' answers trained a model, so that erasure and withdrawal reach the models too.

A model folder trained on a window of answers (a night's filter models, a night's reward model)
records the pseudonyms of the students in that window (`trained_on.parquet`, private like the rest
of `models/`). `retire_models_trained_on` deletes every such folder that learnt from a student who
asked for erasure or withdrew consent; the night it served trains a new one, without them, the
next time it runs (shared/CONTRACT.md: erasure reaches "every model trained on it").
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.atomic import atomic_file
from lakehouse.home import LakehouseHome

TRAINED_ON_FILE: Final = "trained_on.parquet"


def record_trained_on(folder: Path, training_frame: pl.DataFrame) -> None:
    """Write the distinct `student_pseudonym`s of the rows a model in `folder` learnt from."""
    with atomic_file(folder / TRAINED_ON_FILE) as staged:
        training_frame.select(pl.col("student_pseudonym").unique().sort()).write_parquet(staged)


def retire_models_trained_on(home: LakehouseHome, student_pseudonyms: list[str]) -> list[Path]:
    """Delete every model folder (`models/<inst>/<kind>/before=<night>/`) trained on any of these
    students, and return them. A folder without a record is left alone: it learnt from nobody (a
    cold-start model) or holds a model given by path."""
    if not student_pseudonyms:
        return []
    forget = pl.Series(student_pseudonyms, dtype=pl.String).implode()
    retired = []
    for record in sorted((home.root / "models").glob(f"*/*/before=*/{TRAINED_ON_FILE}")):
        learnt = (
            pl.scan_parquet(record)
            .select(pl.col("student_pseudonym").is_in(forget).any())
            .collect()
            .item()
        )
        if learnt:
            shutil.rmtree(record.parent)
            retired.append(record.parent)
    return retired
