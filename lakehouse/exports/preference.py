"""Preference pairs: two answers to the same question by different students whose normalised
grades differ by at least a margin; the better graded one is `chosen`.

Pair selection is deterministic and linear in the answers, with no randomness. The answers to a
question are ranked by grade (best first, ties broken by institution, night, submission id) and
split into a top half (ranks `0 .. h-1`, `h = n // 2`) and a bottom half (`m = n - h` answers).
In round `r` (`0 .. max_pairs_per_answer - 1`) the top answer of rank `i` meets the bottom answer
of bottom-rank `(i + r) mod m`. A top answer meets one partner per round and a bottom answer at
most one per round (the `i < h <= m` are distinct modulo `m`), so no answer is in more than
`max_pairs_per_answer` pairs. Candidates are then dropped when the two answers are by the same
student, when the gap is below the margin (so ties never pair), or when the two answers are near
duplicates (the same MinHash cluster in `curated_documents`, or equal normalised text): such a
pair teaches grading noise, not a preference.

This pairs good answers with clearly worse ones of the same question rather than enumerating all
`n^2` candidates: a question with 10,000 answers yields at most `10,000 * k / 2` candidates.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from lakehouse.exports.config import ExportConfig
from lakehouse.exports.datasets import (
    KEYS,
    PROMPT_GROUP,
    AnswerPool,
    BuiltDataset,
    tokens,
)

MARGIN_TOLERANCE: Final = 1e-9
"""Floating-point slack on the margin (0.7 - 0.5 is 0.19999999999999996)."""

_SIDE: Final[tuple[str, ...]] = (
    "institution_id",
    "night",
    "submission_id",
    "student_pseudonym",
    "assignment_id",
    "question_text",
    "answer_text",
    "norm_text",
    "minhash_dedup_cluster",
    "grade",
    "max_grade",
    "grade_fraction",
    "language",
)


def _side(frame: pl.DataFrame, prefix: str) -> pl.DataFrame:
    keep = [c for c in _SIDE if c not in PROMPT_GROUP]
    return frame.rename({c: f"{prefix}{c}" for c in keep})


def candidate_pairs(pool: pl.DataFrame, max_pairs_per_answer: int) -> pl.DataFrame:
    """The rotation candidates (see the module docstring): one row per (chosen side `c_`,
    rejected side `r_`) before any filter, columns of both answers prefixed."""
    descending = [False] * len(PROMPT_GROUP) + [True] + [False] * len(KEYS)
    ranked = pool.sort(
        [*PROMPT_GROUP, "grade_fraction", *KEYS], descending=descending
    ).with_columns(
        pl.int_range(pl.len()).over(PROMPT_GROUP).alias("_rank"),
        pl.len().over(PROMPT_GROUP).cast(pl.Int64).alias("_n"),
    )
    ranked = ranked.with_columns((pl.col("_n") // 2).alias("_h")).filter(pl.col("_n") >= 2)
    columns = [*PROMPT_GROUP, *[c for c in _SIDE if c not in PROMPT_GROUP]]
    top = ranked.filter(pl.col("_rank") < pl.col("_h"))
    bottom = ranked.filter(pl.col("_rank") >= pl.col("_h")).select(
        *columns, (pl.col("_rank") - pl.col("_h")).alias("_slot")
    )
    rounds = pl.DataFrame(
        {"_round": list(range(max_pairs_per_answer))}, schema={"_round": pl.Int64}
    )
    proposals = top.join(rounds, how="cross").select(
        *columns,
        ((pl.col("_rank") + pl.col("_round")) % (pl.col("_n") - pl.col("_h"))).alias("_slot"),
    )
    pairs = _side(proposals, "c_").join(
        _side(bottom, "r_"), on=[*PROMPT_GROUP, "_slot"], how="inner"
    )
    return pairs.unique(
        [*PROMPT_GROUP, "c_night", "c_submission_id", "r_night", "r_submission_id"],
        keep="first",
        maintain_order=True,
    ).drop("_slot")


def preference_frame(pool: AnswerPool, config: ExportConfig) -> BuiltDataset:
    """`{prompt, chosen, rejected, chosen_grade, rejected_grade, metadata}`, grades normalised to
    [0, 1], sorted by question then chosen then rejected submission."""
    funnel = pool.funnel.copy()
    pairs = candidate_pairs(pool.frame, config.preference_max_pairs_per_answer)
    funnel.start(
        f"candidate pairs (ranked halves, {config.preference_max_pairs_per_answer} rounds)",
        pairs.height,
    )
    pairs = pairs.filter(pl.col("c_student_pseudonym").ne_missing(pl.col("r_student_pseudonym")))
    funnel.after("by different students", pairs.height)
    gap = pl.col("c_grade_fraction") - pl.col("r_grade_fraction")
    pairs = pairs.filter(
        (gap > 0) & (gap >= config.preference_min_margin - MARGIN_TOLERANCE)
    ).with_columns(gap.alias("_margin"))
    funnel.after(f"grade gap >= {config.preference_min_margin:g} (no ties)", pairs.height)
    same_cluster = (
        pl.col("c_minhash_dedup_cluster") == pl.col("r_minhash_dedup_cluster")
    ).fill_null(False)
    pairs = pairs.filter(~same_cluster & (pl.col("c_norm_text") != pl.col("r_norm_text")))
    funnel.after("not near-duplicates (MinHash cluster or equal text)", pairs.height)
    pairs = pairs.sort([*PROMPT_GROUP, "c_night", "c_submission_id", "r_night", "r_submission_id"])
    out = pairs.select(
        pl.col("c_question_text").alias("prompt"),
        pl.col("c_answer_text").alias("chosen"),
        pl.col("r_answer_text").alias("rejected"),
        pl.col("c_grade_fraction").alias("chosen_grade"),
        pl.col("r_grade_fraction").alias("rejected_grade"),
        pl.struct(
            "institution_id",
            "course_id",
            pl.col("c_assignment_id").alias("assignment_id"),
            "question_id",
            pl.col("c_language").alias("language"),
            pl.col("c_submission_id").alias("chosen_submission_id"),
            pl.col("c_night").alias("chosen_night"),
            pl.col("c_grade").alias("chosen_raw_grade"),
            pl.col("c_max_grade").alias("chosen_max_grade"),
            pl.col("r_submission_id").alias("rejected_submission_id"),
            pl.col("r_night").alias("rejected_night"),
            pl.col("r_grade").alias("rejected_raw_grade"),
            pl.col("r_max_grade").alias("rejected_max_grade"),
            pl.col("_margin").alias("margin"),
        ).alias("metadata"),
    )
    sources = pl.concat(
        [
            pairs.select(
                "institution_id",
                pl.col(f"{p}night").alias("night"),
                pl.col(f"{p}submission_id").alias("submission_id"),
                pl.col(f"{p}student_pseudonym").alias("student_pseudonym"),
                pl.lit(role, dtype=pl.String).alias("role"),
                tokens(pl.col(f"{p}answer_text")).cast(pl.Int64).alias("tokens"),
            )
            for p, role in (("c_", "chosen"), ("r_", "rejected"))
        ]
    )
    return BuiltDataset("preference", out, sources, funnel)
