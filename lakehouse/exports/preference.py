"""Preference pairs: two real attempts at the same question by different students whose
normalised grades differ by at least a margin; the better graded one is `chosen`.

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

What makes a pair informative (issue 21: on real LMS exports 22-33% of pairs had "No response."
as `rejected`, which teaches only that something beats nothing):

- Both answers are real attempts (`non_answer_kind` null). Pairs with a non-answer are added
  back only up to `preference_max_non_answer_share` of the dataset (default 0), labelled
  `metadata.non_answer_pair`.
- A question yields pairs only with `preference_min_answers_per_question` graded real attempts.
- Where several graders graded a question, answers are first paired within each grader's
  answers (the rotation above, per question and grader), then across graders for the pairs each
  answer has left; `metadata.same_grader` says which (null when a grader is unknown).

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
    REAL_ATTEMPT_STEP,
    AnswerPool,
    BuiltDataset,
    tokens,
)
from lakehouse.exports.funnel import Funnel

MARGIN_TOLERANCE: Final = 1e-9
"""Floating-point slack on the margin (0.7 - 0.5 is 0.19999999999999996)."""

_SIDE: Final[tuple[str, ...]] = (
    "institution_id",
    "night",
    "submission_id",
    "student_pseudonym",
    "grader_pseudonym",
    "assignment_id",
    "question_text",
    "answer_text",
    "norm_text",
    "minhash_dedup_cluster",
    "grade",
    "max_grade",
    "grade_fraction",
    "language",
    "non_answer_kind",
)
_PAIR_ID: Final[tuple[str, ...]] = (
    *PROMPT_GROUP,
    "c_night",
    "c_submission_id",
    "r_night",
    "r_submission_id",
)
_GRADER_GROUP: Final = "_grader_group"


def _side(frame: pl.DataFrame, prefix: str, group: tuple[str, ...]) -> pl.DataFrame:
    keep = [c for c in _SIDE if c not in group]
    return frame.rename({c: f"{prefix}{c}" for c in keep})


def candidate_pairs(
    pool: pl.DataFrame, max_pairs_per_answer: int, *, by_grader: bool = False
) -> pl.DataFrame:
    """The rotation candidates (see the module docstring): one row per (chosen side `c_`,
    rejected side `r_`) before any filter, columns of both answers prefixed. `by_grader`: rank
    and pair within each (question, grader) instead of each question; answers of an unknown
    grader are left out then."""
    if by_grader:
        pool = pool.filter(pl.col("grader_pseudonym").is_not_null()).with_columns(
            pl.col("grader_pseudonym").alias(_GRADER_GROUP)
        )
    group = (*PROMPT_GROUP, _GRADER_GROUP) if by_grader else PROMPT_GROUP
    descending = [False] * len(group) + [True] + [False] * len(KEYS)
    ranked = pool.sort([*group, "grade_fraction", *KEYS], descending=descending).with_columns(
        pl.int_range(pl.len()).over(group).alias("_rank"),
        pl.len().over(group).cast(pl.Int64).alias("_n"),
    )
    ranked = ranked.with_columns((pl.col("_n") // 2).alias("_h")).filter(pl.col("_n") >= 2)
    columns = [*group, *[c for c in _SIDE if c not in group]]
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
    pairs = _side(proposals, "c_", group).join(
        _side(bottom, "r_", group), on=[*group, "_slot"], how="inner"
    )
    pairs = pairs.unique(list(_PAIR_ID), keep="first", maintain_order=True).drop("_slot")
    if by_grader:
        pairs = pairs.with_columns(
            pl.col(_GRADER_GROUP).alias("c_grader_pseudonym"),
            pl.col(_GRADER_GROUP).alias("r_grader_pseudonym"),
        ).drop(_GRADER_GROUP)
    return pairs


def _usage(pairs: pl.DataFrame) -> pl.DataFrame:
    """(institution_id, night, submission_id, used): pairs each answer is already in."""
    sides = [
        pairs.select(
            "institution_id",
            pl.col(f"{p}night").alias("night"),
            pl.col(f"{p}submission_id").alias("submission_id"),
        )
        for p in ("c_", "r_")
    ]
    return pl.concat(sides).group_by(list(KEYS)).len(name="used")


def within_capacity(
    candidates: pl.DataFrame, *, taken: pl.DataFrame, max_pairs_per_answer: int
) -> pl.DataFrame:
    """The candidates that keep every answer within `max_pairs_per_answer` pairs, counting the
    pairs already `taken`. In one rotation an answer is on one side only, so ranking each side's
    candidates (in pair-id order) and keeping those ranked below what the answer has left is
    enough; it may leave a little capacity unused, never exceed it."""
    used = _usage(taken)
    out = candidates.sort(list(_PAIR_ID))  # ranks must not depend on how joins ordered rows
    for p in ("c_", "r_"):
        side_used = used.rename({"night": f"{p}night", "submission_id": f"{p}submission_id"})
        out = out.join(
            side_used.rename({"used": f"_{p}used"}),
            on=["institution_id", f"{p}night", f"{p}submission_id"],
            how="left",
            maintain_order="left",
        ).with_columns(
            pl.int_range(pl.len())
            .over(["institution_id", f"{p}night", f"{p}submission_id"])
            .alias(f"_{p}rank")
        )
    left = pl.lit(max_pairs_per_answer)
    return out.filter(
        (pl.col("_c_rank") < left - pl.col("_c_used").fill_null(0))
        & (pl.col("_r_rank") < left - pl.col("_r_used").fill_null(0))
    ).drop("_c_used", "_r_used", "_c_rank", "_r_rank")


def _filtered(pairs: pl.DataFrame, config: ExportConfig) -> tuple[pl.DataFrame, list[int]]:
    """Pairs by different students, with a gap of at least the margin, not near-duplicates; and
    the rows left after each of those three steps (`FILTER_STEPS`)."""
    left = []
    pairs = pairs.filter(pl.col("c_student_pseudonym").ne_missing(pl.col("r_student_pseudonym")))
    left.append(pairs.height)
    gap = pl.col("c_grade_fraction") - pl.col("r_grade_fraction")
    pairs = pairs.filter(
        (gap > 0) & (gap >= config.preference_min_margin - MARGIN_TOLERANCE)
    ).with_columns(gap.alias("_margin"))
    left.append(pairs.height)
    same_cluster = (
        pl.col("c_minhash_dedup_cluster") == pl.col("r_minhash_dedup_cluster")
    ).fill_null(False)
    pairs = pairs.filter(~same_cluster & (pl.col("c_norm_text") != pl.col("r_norm_text")))
    left.append(pairs.height)
    return pairs, left


def _filter_steps(config: ExportConfig) -> tuple[str, ...]:
    return (
        "by different students",
        f"grade gap >= {config.preference_min_margin:g} (no ties)",
        "not near-duplicates (MinHash cluster or equal text)",
    )


def _informative_pairs(real: pl.DataFrame, config: ExportConfig, funnel: Funnel) -> pl.DataFrame:
    """Pairs of real attempts. When same-grader pairs are preferred: the rotation within each
    (question, grader) first, then a second rotation over the answers that still have pairs left,
    across graders, kept within each answer's `preference_max_pairs_per_answer`."""
    k = config.preference_max_pairs_per_answer
    label = f"candidate pairs (ranked halves, {k} rounds)"
    if not config.preference_prefer_same_grader:
        candidates = candidate_pairs(real, k)
        pairs, left = _filtered(candidates, config)
    else:
        label = f"candidate pairs (ranked halves, {k} rounds: same grader, then across graders)"
        first_candidates = candidate_pairs(real, k, by_grader=True)
        first, first_left = _filtered(first_candidates, config)
        full = _usage(first).filter(pl.col("used") >= k)
        open_answers = real.join(full, on=list(KEYS), how="anti")
        rest_candidates = candidate_pairs(open_answers, k).join(
            first_candidates.select(_PAIR_ID), on=list(_PAIR_ID), how="anti"
        )
        rest, rest_left = _filtered(rest_candidates, config)
        candidates = pl.concat([first_candidates, rest_candidates], how="vertical_relaxed")
        left = [a + b for a, b in zip(first_left, rest_left, strict=True)]
        rest = within_capacity(rest, taken=first, max_pairs_per_answer=k)
        pairs = pl.concat([first, rest], how="vertical_relaxed")
    funnel.start(label, candidates.height)
    for step, rows in zip(_filter_steps(config), left, strict=True):
        funnel.after(step, rows)
    if config.preference_prefer_same_grader:
        funnel.after(f"each answer in at most {k} pairs", pairs.height)
    return pairs.with_columns(pl.lit(False).alias("_non_answer_pair"))


def _non_answer_pairs(
    eligible: pl.DataFrame, informative: pl.DataFrame, config: ExportConfig
) -> pl.DataFrame:
    """Pairs with a non-answer on a side, at most `preference_max_non_answer_share` of the
    dataset, spread over questions (each question's first, then each one's second, ...)."""
    share = config.preference_max_non_answer_share
    quota = int(share * informative.height / (1.0 - share)) if share > 0 else 0
    if quota == 0:
        return informative.clear().with_columns(pl.lit(True).alias("_non_answer_pair"))
    k = config.preference_max_pairs_per_answer
    pairs = candidate_pairs(eligible, k).filter(
        pl.col("c_non_answer_kind").is_not_null() | pl.col("r_non_answer_kind").is_not_null()
    )
    pairs = within_capacity(_filtered(pairs, config)[0], taken=informative, max_pairs_per_answer=k)
    picked = (
        pairs.with_columns(pl.int_range(pl.len()).over(PROMPT_GROUP).alias("_turn"))
        .sort(["_turn", *_PAIR_ID])
        .head(quota)
        .drop("_turn")
    )
    return picked.with_columns(pl.lit(True).alias("_non_answer_pair"))


def preference_frame(pool: AnswerPool, config: ExportConfig) -> BuiltDataset:
    """`{prompt, chosen, rejected, chosen_grade, rejected_grade, metadata}`, grades normalised to
    [0, 1], sorted by question then chosen then rejected submission."""
    funnel = pool.funnel.copy()
    m = config.preference_min_answers_per_question
    real_count = pl.col("non_answer_kind").is_null().sum().over(PROMPT_GROUP)
    eligible = pool.frame.filter(real_count >= m)
    real = pool.frame.filter(pl.col("non_answer_kind").is_null())
    funnel.after(REAL_ATTEMPT_STEP, real.height)
    real = eligible.filter(pl.col("non_answer_kind").is_null())
    funnel.after(f"question has >= {m} graded real attempts", real.height)
    informative = _informative_pairs(real, config, funnel)
    extra = _non_answer_pairs(eligible, informative, config)
    pairs = pl.concat([informative, extra], how="vertical_relaxed")
    if config.preference_max_non_answer_share > 0:
        funnel.steps.append(
            (
                f"added: pairs with a non-answer (at most "
                f"{config.preference_max_non_answer_share:g} of pairs)",
                -extra.height,
                pairs.height,
            )
        )
    counts = real.group_by(PROMPT_GROUP).agg(pl.len().cast(pl.Int64).alias("_question_answers"))
    pairs = pairs.join(counts, on=list(PROMPT_GROUP), how="left").sort(list(_PAIR_ID))
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
            (pl.col("c_grader_pseudonym") == pl.col("r_grader_pseudonym")).alias("same_grader"),
            pl.col("_non_answer_pair").alias("non_answer_pair"),
            pl.col("c_non_answer_kind").alias("chosen_non_answer"),
            pl.col("r_non_answer_kind").alias("rejected_non_answer"),
            pl.col("_question_answers").alias("question_answers"),
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
