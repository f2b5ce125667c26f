"""Hand-made silver, curated and reward frames for the export tests, and a home holding them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lakehouse.erasure import audit_erasures
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition
from lakehouse.reward.scoring import REWARD_SCORES_SCHEMA
from lakehouse.stages.silver import SILVER_SCHEMA

SAF = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "saf_en_train.jsonl"
N1 = date(2026, 1, 5)
N2 = date(2026, 1, 6)
INST = "inst_a"


def answer(i: int, **overrides: Any) -> dict[str, Any]:
    """One scrubbed answer; keyword arguments override fields."""
    base: dict[str, Any] = {
        "submission_id": f"s{i:04d}",
        "institution_id": INST,
        "night": N1,
        "course_id": "CS101",
        "assignment_id": "A1",
        "question_id": "Q1",
        "student_pseudonym": f"p_student{i:04d}",
        "grader_pseudonym": "p_grader",
        "question_text": "Explain the difference between TCP and UDP.",
        "answer_text": f"Answer number {i}: TCP is reliable and ordered, UDP is not.",
        "reference_answer": None,
        "feedback": f"Feedback {i}: mention flow control.",
        "submitted_at": datetime(2026, 1, 4, 10, 0, i % 60, tzinfo=UTC),
        "grade": 8.0,
        "max_grade": 10.0,
        "language": "en",
    }
    base.update(overrides)
    return base


def silver(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SILVER_SCHEMA)


def curated(
    scrubbed: pl.DataFrame,
    *,
    dropped: dict[str, str] | None = None,
    clusters: dict[str, str] | None = None,
) -> pl.DataFrame:
    """`curated_documents` rows for `scrubbed`: kept unless `dropped[submission_id]` names the
    failing step; each answer its own MinHash cluster unless `clusters` says otherwise."""
    dropped = dropped or {}
    clusters = clusters or {}
    sid = pl.col("submission_id")
    return scrubbed.with_columns(
        pl.col("language").alias("language_detected"),
        sid.replace_strict(
            clusters, default=pl.concat_str(pl.col("institution_id"), pl.lit("/"), sid)
        ).alias("minhash_dedup_cluster"),
        sid.replace_strict(dropped, default=None, return_dtype=pl.String).alias("drop_reason"),
    ).with_columns(pl.col("drop_reason").is_null().alias("kept"))


def scores(scrubbed: pl.DataFrame, version: str = "rm-v1") -> pl.DataFrame:
    """Reward scores for every row: a fixed function of the grade, in [0, 1]."""
    return scrubbed.select(
        "submission_id",
        "institution_id",
        "night",
        ((pl.col("grade").fill_null(0) / pl.col("max_grade").fill_null(1)).clip(0, 1) * 0.9).alias(
            "rm_score"
        ),
        pl.lit(version).alias("rm_model_version"),
    ).select(pl.col(c).cast(t) for c, t in REWARD_SCORES_SCHEMA.items())


def write_lake(
    home: LakehouseHome,
    scrubbed: pl.DataFrame,
    *,
    curated_frame: pl.DataFrame | None = None,
    score_refs: Sequence[PartitionRef] | None = None,
) -> list[PartitionRef]:
    """Write silver, curated and (for `score_refs`, default all) reward scores per partition."""
    curated_frame = curated(scrubbed) if curated_frame is None else curated_frame
    refs = [
        PartitionRef(i, n)
        for i, n in scrubbed.select("institution_id", "night")
        .unique()
        .sort(["institution_id", "night"])
        .iter_rows()
    ]
    for ref in refs:
        mine = (pl.col("institution_id") == ref.institution_id) & (pl.col("night") == ref.night)
        write_partition(home, "silver", "scrubbed_submissions", ref, scrubbed.filter(mine))
        write_partition(home, "silver", "curated_documents", ref, curated_frame.filter(mine))
        if score_refs is None or ref in score_refs:
            write_partition(home, "gold", "reward_scores", ref, scores(scrubbed.filter(mine)))
    return refs


def erase(home: LakehouseHome, institution_id: str, pseudonyms: Sequence[str]) -> None:
    """Record erasures in the audit as the erasure stage does."""
    audit_erasures(
        home,
        institution_id,
        pseudonyms=pl.Series(list(pseudonyms), dtype=pl.String),
        requests=pl.DataFrame(
            {"requested_at": [datetime(2026, 1, 7, tzinfo=UTC)] * len(pseudonyms)},
            schema={"requested_at": pl.Datetime("us", "UTC")},
        ),
    )


def sample_answers() -> pl.DataFrame:
    """Two nights, two questions, varied grades, one ungraded, one without feedback, two
    identical texts and a non-English answer."""
    rows = []
    grades = [10.0, 9.0, 8.5, 7.0, 6.0, 5.0, 3.0, 2.0, 1.0, 0.0]
    for i, g in enumerate(grades):
        rows.append(answer(i, grade=g, night=N1 if i % 2 else N2))
    for i, g in enumerate([9.0, 4.0, 8.0, 2.0], start=20):
        rows.append(
            answer(
                i,
                question_id="Q2",
                question_text="क्या है TCP?",
                answer_text=f"उत्तर {i}: TCP एक भरोसेमंद प्रोटोकॉल है।",
                language="hi",
                grade=g,
                max_grade=10.0,
            )
        )
    rows.append(answer(30, grade=None, max_grade=None))
    rows.append(answer(31, feedback=None, grade=9.5))
    rows.append(answer(32, answer_text="Same text.", grade=9.0))
    rows.append(answer(33, answer_text="same   TEXT.", grade=8.0, night=N2))
    return silver(rows)


@pytest.fixture
def lake_home(home: LakehouseHome) -> tuple[LakehouseHome, list[PartitionRef]]:
    frame = sample_answers()
    refs = write_lake(home, frame, curated_frame=curated(frame, dropped={"s0003": "perplexity"}))
    return home, refs


def saf_silver(institution: str = "inst_saf", graders: int = 0) -> pl.DataFrame:
    """SAF's 1,476 real graded answers (../shared/data) laid out as one institution's silver rows:
    one course, SAF's question ids, one student per answer, two nights (even and odd rows) and,
    when `graders` > 0, that many graders taking turns (SAF does not say who graded)."""
    if not SAF.exists():
        pytest.skip(f"{SAF} is absent")
    saf = pl.read_ndjson(SAF).with_row_index("i")
    i = pl.col("i").cast(pl.Int64)
    grader = (
        pl.concat_str(pl.lit("p_grader"), (i % graders).cast(pl.String))
        if graders
        else pl.lit(None, dtype=pl.String)
    )
    return saf.select(
        pl.format("saf{}", i).alias("submission_id"),
        pl.lit(institution).alias("institution_id"),
        pl.when(i % 2 == 0).then(pl.lit(N1)).otherwise(pl.lit(N2)).alias("night"),
        pl.lit("networking").alias("course_id"),
        pl.concat_str(pl.lit("A"), pl.col("question_id").str.split(".").list.first()).alias(
            "assignment_id"
        ),
        pl.col("question_id"),
        pl.format("p_student{}", i).alias("student_pseudonym"),
        grader.alias("grader_pseudonym"),
        pl.col("question").alias("question_text"),
        pl.col("answer").alias("answer_text"),
        pl.col("reference_answer"),
        pl.col("feedback"),
        pl.lit(datetime(2026, 1, 4, 10, 0, tzinfo=UTC)).alias("submitted_at"),
        pl.col("score").alias("grade"),
        pl.col("max_score").alias("max_grade"),
        pl.lit("en").alias("language"),
    ).select(pl.col(c).cast(t) for c, t in SILVER_SCHEMA.items())


def chain_curated(scrubbed: pl.DataFrame) -> pl.DataFrame:
    """`curated_documents` as the default filter chain writes them (no models, in-frame dedup)."""
    from lakehouse.filters import build_default_chain

    return build_default_chain(model_dir=None, index_dir=None).run(scrubbed).documents
