"""One Presidio engine and one small roster for every PII test."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lakehouse.pii import PiiConfig, PiiEngine, Roster, build_engine


@pytest.fixture(scope="session")
def pii_config(tmp_path_factory: pytest.TempPathFactory) -> PiiConfig:
    cache: Path = tmp_path_factory.mktemp("spacy-cache")
    # names="off": these tests are about the roster and the identifiers; the off-roster name
    # finder has its own (test_pii_names.py)
    return PiiConfig(
        cache_dir=cache, roll_number_patterns=(r"1MS2[1-4](?:CS|EC)\d{3}",), names="off"
    )


@pytest.fixture(scope="session")
def pii_engine(pii_config: PiiConfig) -> PiiEngine:
    return build_engine(config=pii_config)


@pytest.fixture(scope="session")
def roster() -> Roster:
    return Roster.from_frame(
        pl.DataFrame(
            {
                "person_id": ["S001", "S002", "T001", "G001"],
                "role": ["student", "student", "teacher", "guardian"],
                "full_name": [
                    "Priya Kumari Sharma",
                    "Arjun Nair",
                    "Dr. Lakshmi Rao",
                    "Suresh Nair",
                ],
                "name_devanagari": ["प्रिया शर्मा", None, "लक्ष्मी राव", None],
            }
        )
    )
