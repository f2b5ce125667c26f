"""A night's files: every format at least once, contiguous row ranges, and planted defects only
in formats that can carry them, on rows that hold no planted PII."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import numpy as np
import polars as pl

from lakehouse.generate import malformed
from lakehouse.generate.night import FORMATS, MAX_FILE_ROWS, plan_defects, plan_files


def test_files_cover_every_row_once_in_every_format() -> None:
    rng = np.random.default_rng(0)
    for n in (60, 1_000, 3 * MAX_FILE_ROWS):
        files = plan_files(n, date(2026, 1, 5), rng)
        assert {f.fmt for f in files} == set(FORMATS) and len(files) >= 5
        assert files[0].start == 0 and files[-1].end == n
        assert all(a.end == b.start for a, b in pairwise(files))
        assert all(f.end - f.start <= 1.2 * MAX_FILE_ROWS for f in files)
        assert all(f.name.startswith("export-20260105-") for f in files)


def test_defects_go_to_formats_that_carry_them_on_free_rows() -> None:
    rng = np.random.default_rng(1)
    n = 400
    files = plan_files(n, date(2026, 1, 5), rng)
    recipe = pl.DataFrame(
        {
            "pii_form": np.where(np.arange(n) % 4 == 0, 3, -1),
            "decoy_form": np.full(n, -1),
            "feedback_name": np.zeros(n, dtype=bool),
        }
    )
    plan, reasons = plan_defects(recipe, files, rng)
    assert sum(reasons.values()) == len(plan) >= len(malformed.DEFECTS)
    for row, (name, _, _) in plan.items():
        assert row % 4 != 0  # never on a row with planted PII
        (batch,) = [f for f in files if f.start <= row < f.end]
        assert batch.fmt in malformed.BY_NAME[name].formats
