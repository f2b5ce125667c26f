"""Where the team's real public data sets live: `../shared/data`, relative to the project root
(never an absolute machine path), so tests run the same on any checkout that sits beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT / ".." / "shared" / "data"

SAF = SHARED_DATA / "saf_en_train.jsonl"
FLORES = SHARED_DATA / "flores200_dev_11lang.tsv"
GAP = SHARED_DATA / "gap_development.tsv"
PRESIDIO_SMALL = SHARED_DATA / "presidio_generated_small.json"


def require(path: Path) -> Path:
    """The data file, or skip the test saying which file a checkout beside `shared/` would have."""
    if not path.exists():
        pytest.skip(f"real data set {path.name} is not beside this checkout (../shared/data)")
    return path
