"""The silver gate on real text nobody here wrote: after scrubbing, every expectation passes.

Issue 13: the gate's own phone regex blocked real partitions on decimals (`0.050813731`) and ISBNs
that the scrubber rightly left. Now both use `lakehouse.pii.identifiers`; these tests run the whole
suite over scrubbed SAF answers and feedback, GAP Wikipedia snippets and FLORES-200 sentences, and
check that on the raw PII-laden Presidio texts whatever the gate flags the scrubber replaces.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from expectations.runner import validate
from expectations.suites import silver_gate_frame, silver_suite
from expectations.suites.silver import TEXT_COLUMNS
from expectations.thresholds import SilverThresholds
from lakehouse.pii import PiiConfig, PiiEngine, scrub_frame
from lakehouse.pii.detect import hits_column
from lakehouse.pii.identifiers import IDENTIFIERS
from tests.expectations.gate_frames import RAW_IDS, ROSTER_NAMES
from tests.shared_data import FLORES, GAP, PRESIDIO_SMALL, SAF, require


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> PiiEngine:
    from lakehouse.pii import build_engine

    return build_engine(config=PiiConfig(cache_dir=tmp_path_factory.mktemp("spacy")))


def _silver(texts: pl.DataFrame) -> pl.DataFrame:
    """A silver-shaped frame around real text columns (the rest is filled in)."""
    n = texts.height
    filled = {c: texts.get_column(c) if c in texts.columns else [None] * n for c in TEXT_COLUMNS}
    return pl.DataFrame(
        {
            "submission_id": [f"sub-{i:06d}" for i in range(n)],
            "institution_id": ["inst_real"] * n,
            "night": [date(2026, 1, 5)] * n,
            "course_id": ["C1"] * n,
            "assignment_id": ["A1"] * n,
            "question_id": ["Q1"] * n,
            "student_pseudonym": [f"ps_{i:08x}" for i in range(n)],
            "grader_pseudonym": ["ps_grader01"] * n,
            **filled,
            "submitted_at": [datetime(2026, 1, 5, tzinfo=UTC)] * n,
            "grade": [1.0] * n,
            "max_grade": [1.0] * n,
            "language": ["en"] * n,
        },
        schema_overrides={c: pl.String for c in TEXT_COLUMNS},
    )


def _real(name: str) -> pl.DataFrame:
    if name == "saf":
        return pl.read_ndjson(require(SAF)).select(
            question_text="question",
            answer_text="answer",
            reference_answer="reference_answer",
            feedback="feedback",
        )
    if name == "gap":
        return pl.read_csv(require(GAP), separator="\t", quote_char=None).select(answer_text="Text")
    return pl.read_csv(require(FLORES), separator="\t", quote_char=None).select(answer_text="text")


@pytest.mark.parametrize("name", ["saf", "gap", "flores"])
def test_scrubbed_real_text_passes_every_silver_expectation(name: str, engine: PiiEngine) -> None:
    texts = _real(name)
    scrubbed = scrub_frame(
        _silver(texts), text_columns=TEXT_COLUMNS, author_column=None, engine=engine
    )
    suite = silver_suite(
        thresholds=SilverThresholds(), raw_student_ids=RAW_IDS, roster_names=ROSTER_NAMES
    )
    result = validate(frame=silver_gate_frame(scrubbed.frame), suite=suite)
    assert result.success, (result.failed_expectations, result.examples)
    assert {o.name for o in result.expectations} >= {f"no_{i.entity.lower()}" for i in IDENTIFIERS}


def test_saf_answers_hold_no_identifier_at_all() -> None:
    """The networking answers are full of decimals, probabilities and port numbers: none of them
    is an identifier, raw (the scrubber has nothing to replace)."""
    gate = silver_gate_frame(_silver(_real("saf")))
    hits = gate.select(pl.sum_horizontal(hits_column(i.entity) for i in IDENTIFIERS).sum()).item()
    assert hits == 0


def test_on_pii_laden_text_what_the_gate_flags_the_scrubber_replaced(engine: PiiEngine) -> None:
    rows = json.loads(require(PRESIDIO_SMALL).read_text())
    raw = _silver(pl.DataFrame({"answer_text": [r["full_text"] for r in rows]}))
    before = silver_gate_frame(raw)
    flagged = before.select(pl.sum_horizontal(hits_column(i.entity) for i in IDENTIFIERS).sum())
    assert flagged.item() >= 30  # cards, phones, SSNs, e-mails, IPs, URLs, dates of birth
    scrubbed = scrub_frame(raw, text_columns=TEXT_COLUMNS, author_column=None, engine=engine)
    after = silver_gate_frame(scrubbed.frame)
    left = after.select(pl.sum_horizontal(hits_column(i.entity) for i in IDENTIFIERS).sum())
    assert left.item() == 0
