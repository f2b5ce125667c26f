"""Hand-built clean frames, one per gate: each test breaks one thing in a copy."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from lakehouse.contract import BRONZE_SCHEMA
from lakehouse.home import LakehouseHome, PartitionRef

NIGHT = date(2026, 1, 5)
REF = PartitionRef("inst_gx", NIGHT)
N = 12
RAW_IDS = [f"STU{i:05d}" for i in range(N)]
ROSTER_NAMES = ["Priya Sharma", "Arjun Reddy"]


def bronze_frame(n: int = N) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "submission_id": [f"sub-{i:06d}" for i in range(n)],
            "student_id": [f"STU{i % N:05d}" for i in range(n)],
            "course_id": ["CS101"] * n,
            "assignment_id": ["A1"] * n,
            "question_id": [f"Q{i % 3}" for i in range(n)],
            "question_text": ["Explain TCP versus UDP."] * n,
            "answer_text": [
                f"Priya Sharma says TCP is reliable, call 9876543210. #{i}" for i in range(n)
            ],
            "submitted_at": [datetime(2026, 1, 5, 10, 0, tzinfo=UTC)] * n,
            "grade": [float(i % 10) for i in range(n)],
            "max_grade": [10.0] * n,
            "grader_id": ["TCH001"] * n,
            "feedback": ["Good."] * n,
            "reference_answer": [None] * n,
            "language": ["en"] * n,
            "extra": [None] * n,
            "institution_id": [REF.institution_id] * n,
            "night": [NIGHT] * n,
            "source_file": ["batch-1.jsonl"] * n,
            "source_line": list(range(1, n + 1)),
            "file_sha256": ["ab" * 32] * n,
        },
        schema=BRONZE_SCHEMA,
    )


def silver_frame(n: int = N) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "submission_id": [f"sub-{i:06d}" for i in range(n)],
            "institution_id": [REF.institution_id] * n,
            "night": [NIGHT] * n,
            "course_id": ["CS101"] * n,
            "assignment_id": ["A1"] * n,
            "question_id": [f"Q{i % 3}" for i in range(n)],
            "student_pseudonym": [f"ps_{i:08x}" for i in range(n)],
            "grader_pseudonym": ["ps_grader01"] * n,
            "question_text": ["Explain TCP versus UDP."] * n,
            "answer_text": [
                f"<PERSON> says TCP is reliable, call <PHONE>. Answer {i}." for i in range(n)
            ],
            "reference_answer": [None] * n,
            "feedback": ["Good, see section 4.2 (2024 edition)."] * n,
            "submitted_at": [datetime(2026, 1, 5, 10, 0, tzinfo=UTC)] * n,
            "grade": [float(i % 10) for i in range(n)],
            "max_grade": [10.0] * n,
            "language": ["en"] * n,
        },
        schema_overrides={"reference_answer": pl.String},
    )


def curated_frame(n: int = N) -> pl.DataFrame:
    kept = [i % 3 != 0 for i in range(n)]
    return pl.DataFrame(
        {
            "submission_id": [f"sub-{i:06d}" for i in range(n)],
            "text": [f"TCP is reliable. Answer {i}." for i in range(n)],
            "kept": kept,
            "drop_reason": [None if k else "perplexity" for k in kept],
            "language_detected": ["en" if i % 4 else "hi" for i in range(n)],
            "language_score": [0.9] * n,
            "quality_score": [0.5 if i % 2 else None for i in range(n)],
            "perplexity": [120.0 + i for i in range(n)],
        },
        schema_overrides={"drop_reason": pl.String, "quality_score": pl.Float64},
    )


def reward_frame(n: int = N) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "submission_id": [f"sub-{i:06d}" for i in range(n)],
            "rm_score": [i / n for i in range(n)],
            "rm_model_version": ["rm-v1"] * n,
        }
    )


def export_frames() -> dict[str, pl.DataFrame]:
    meta = ['{"course_id": "CS101"}'] * 2
    return {
        "pretrain": pl.DataFrame(
            {
                "id": ["d1", "d2"],
                "text": ["TCP is reliable.", "UDP is fast."],
                "source": ["homework"] * 2,
                "added": ["2026-01-06"] * 2,
                "created": ["2026-01-05"] * 2,
                "metadata": meta,
            }
        ),
        "sft": pl.DataFrame(
            {
                "prompt": ["Explain TCP."] * 2,
                "response": ["Reliable.", "Ordered."],
                "metadata": meta,
            }
        ),
        "preference": pl.DataFrame(
            {
                "prompt": ["Explain TCP."] * 2,
                "chosen": ["Reliable and ordered.", "Ordered."],
                "rejected": ["Fast.", "Slow."],
                "chosen_grade": [9.0, 7.0],
                "rejected_grade": [3.0, 1.0],
                "metadata": meta,
            }
        ),
        "reward": pl.DataFrame(
            {
                "prompt": ["Explain TCP."] * 2,
                "response": ["Reliable.", "Fast."],
                "reward": [0.9, 0.2],
                "rm_score": [0.8, 0.3],
                "metadata": meta,
            }
        ),
        "critique": pl.DataFrame(
            {
                "prompt": ["Explain TCP."] * 2,
                "response": ["Reliable.", "Fast."],
                "feedback": ["Mention ordering.", "Wrong protocol."],
                "grade": [0.7, 0.2],
                "metadata": meta,
            }
        ),
    }


@pytest.fixture
def home(tmp_path) -> LakehouseHome:
    return LakehouseHome(tmp_path / "home")
