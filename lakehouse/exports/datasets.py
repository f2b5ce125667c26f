"""The five export datasets as pure functions of frames (no I/O), each returning the export rows,
the answers behind them (for the contributor ledger) and its filter funnel.

Rules, per CONTRACT.md "Outputs":

- `pretrain` takes the documents the filter chain kept (`curated_documents.kept`), so they are
  already MinHash/exact deduplicated across institutions and nights; an exact-text duplicate left
  inside the release is dropped as well. Text is the corrected answer, after the question unless
  `pretrain_include_question` is off.
- `sft`, `reward` and `critique` take every graded scrubbed answer (the pretraining chain judges
  text for pretraining, not answers for post-training, so its drops do not apply), see
  `answer_pool`; only the chain's non-answer verdict (`non_answer_kind`) is carried over.
  `sft` keeps real attempts graded at least `sft_min_grade_fraction` of max_grade and long enough
  (`sft_min_response_chars`, `sft_min_response_words`), one per distinct (normalised) text per
  question. `reward` keeps answers with a reward-model score, non-answers included (a zero for
  "No response." is a true reward) and labelled. `critique` keeps real attempts whose grader
  feedback says something about them (not only "The response is empty.").
- Grades in `sft`/`reward`/`critique`/`preference` columns are normalised: `grade / max_grade`
  in [0, 1]; the raw grade and max_grade are in `metadata`.

No student pseudonym is ever written to an export row; `sources` carries them for the ledger only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.exports.config import Dataset, ExportConfig
from lakehouse.exports.funnel import Funnel
from lakehouse.exports.inputs import ANSWER_COLUMNS, KEYS, without_erased
from lakehouse.filters.defaults import STEP_ORDER
from lakehouse.filters.non_answer import is_empty_answer_note, non_answer_kind
from lakehouse.filters.text_units import word_count

EXPORT_COLUMNS: Final[dict[Dataset, tuple[str, ...]]] = {
    "pretrain": ("id", "text", "source", "added", "created", "metadata"),
    "sft": ("prompt", "response", "metadata"),
    "preference": ("prompt", "chosen", "rejected", "chosen_grade", "rejected_grade", "metadata"),
    "reward": ("prompt", "response", "reward", "rm_score", "metadata"),
    "critique": ("prompt", "response", "feedback", "grade", "metadata"),
}
"""Each dataset's columns, in order (the same sets as the exports gate checks)."""

TEXT_COLUMNS: Final[dict[Dataset, tuple[str, ...]]] = {
    "pretrain": ("text",),
    "sft": ("prompt", "response"),
    "preference": ("prompt", "chosen", "rejected"),
    "reward": ("prompt", "response"),
    "critique": ("prompt", "response", "feedback"),
}
"""The text a dataset's token count covers."""

SOURCES_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "submission_id": pl.String(),
    "student_pseudonym": pl.String(),
    "role": pl.String(),
    "tokens": pl.Int64(),
}
"""One row per answer appearing in an export row (an answer in two preference pairs: two rows)."""

PROMPT_GROUP: Final[tuple[str, ...]] = ("institution_id", "course_id", "question_id")
"""What makes two answers answers "to the same question"."""


UNKNOWN_LANGUAGE: Final = "und"


def tokens(text: pl.Expr) -> pl.Expr:
    """Tokens of a text: words as the filter chain counts them (`tokens_out` of the funnel),
    i.e. runs of letters, combining marks and digits; null text counts 0."""
    return word_count(text.fill_null(""))


def row_tokens(dataset: Dataset) -> pl.Expr:
    """Tokens of one export row: the sum over the dataset's text columns."""
    return pl.sum_horizontal(tokens(pl.col(c)) for c in TEXT_COLUMNS[dataset]).cast(pl.Int64)


def dataset_tokens(frame: pl.DataFrame, dataset: Dataset) -> int:
    """Total tokens of an export frame (what its card reports)."""
    if frame.is_empty():
        return 0
    return int(frame.select(row_tokens(dataset).sum()).item())


def normalised_text(text: pl.Expr) -> pl.Expr:
    """Lower case, whitespace collapsed and trimmed: equal normalised texts are exact duplicates."""
    return text.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _blank(text: pl.Expr) -> pl.Expr:
    return text.is_null() | (text.str.strip_chars().str.len_chars() == 0)


@dataclass(frozen=True)
class BuiltDataset:
    """One dataset of a release before it is written."""

    dataset: Dataset
    frame: pl.DataFrame
    """Exactly `EXPORT_COLUMNS[dataset]`, in a deterministic order."""
    sources: pl.DataFrame
    """`SOURCES_SCHEMA`: the answers behind the rows, for the contributor ledger."""
    funnel: Funnel

    @property
    def rows(self) -> int:
        return self.frame.height

    @property
    def tokens(self) -> int:
        return dataset_tokens(self.frame, self.dataset)


@dataclass(frozen=True)
class AnswerPool:
    """Graded scrubbed answers of a release that post-training datasets choose from."""

    frame: pl.DataFrame
    funnel: Funnel


def _sources(frame: pl.DataFrame, role: str) -> pl.DataFrame:
    """The answers behind export rows; tokens are those of the student's own answer text."""
    return frame.select(
        "institution_id",
        "night",
        "submission_id",
        "student_pseudonym",
        pl.lit(role, dtype=pl.String).alias("role"),
        tokens(pl.col("answer_text")).cast(pl.Int64).alias("tokens"),
    )


def answer_pool(
    scrubbed: pl.DataFrame,
    *,
    curated: pl.DataFrame | None = None,
    reward_scores: pl.DataFrame | None = None,
    erased: pl.DataFrame | None = None,
) -> AnswerPool:
    """Every scrubbed answer that is graded (grade and max_grade > 0), has question and answer
    text, and whose student is not in the erasure audit; with the detected language and MinHash
    cluster from `curated` and the reward-model score from `reward_scores` where given.

    Adds `language` (detected, else declared, else `und`), `grade_fraction` (grade / max_grade,
    clipped to [0, 1]), `norm_text`, `minhash_dedup_cluster`, `rm_score`, `rm_model_version`,
    `non_answer_kind` (the chain's verdict, made with the institution's own lists; judged here
    with the default lists where the partition was curated before the chain had the step) and
    `answer_chars`, `answer_words`.
    """
    frame = scrubbed.select(ANSWER_COLUMNS)
    funnel = Funnel().start("scrubbed answers", frame.height)
    chain_columns = (
        "language_detected",
        "minhash_dedup_cluster",
        "non_answer_kind",
        "non_answer_pass",
    )
    if curated is not None:
        extra = curated.select(*KEYS, *[c for c in chain_columns if c in curated.columns]).unique(
            list(KEYS), keep="first", maintain_order=True
        )
        frame = frame.join(extra, on=list(KEYS), how="left", maintain_order="left")
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.Boolean if c == "non_answer_pass" else pl.String).alias(c)
        for c in chain_columns
        if c not in frame.columns
    )
    judged_here = non_answer_kind(pl.col("answer_text"), question=pl.col("question_text"))
    frame = frame.with_columns(
        pl.when(pl.col("non_answer_pass").is_not_null())
        .then(pl.col("non_answer_kind"))
        .otherwise(judged_here)
        .alias("non_answer_kind")
    ).drop("non_answer_pass")
    if reward_scores is not None:
        scores = reward_scores.select(*KEYS, "rm_score", "rm_model_version").unique(
            list(KEYS), keep="first", maintain_order=True
        )
        frame = frame.join(scores, on=list(KEYS), how="left", maintain_order="left")
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("rm_score"),
            pl.lit(None, dtype=pl.String).alias("rm_model_version"),
        )
    frame = frame.with_columns(
        pl.coalesce(
            pl.col("language_detected"), pl.col("language"), pl.lit(UNKNOWN_LANGUAGE)
        ).alias("language")
    ).drop("language_detected")

    frame = frame.filter(
        pl.col("grade").is_not_null()
        & pl.col("max_grade").is_not_null()
        & (pl.col("max_grade") > 0)
    )
    funnel.after("graded (grade and max_grade set)", frame.height)
    frame = frame.filter(~_blank(pl.col("question_text")) & ~_blank(pl.col("answer_text")))
    funnel.after("question and answer text present", frame.height)
    frame = without_erased(frame, erased)
    funnel.after("student not erased (audit)", frame.height)
    frame = frame.with_columns(
        (pl.col("grade") / pl.col("max_grade")).clip(0.0, 1.0).alias("grade_fraction"),
        normalised_text(pl.col("answer_text")).alias("norm_text"),
        pl.col("answer_text")
        .str.strip_chars()
        .str.len_chars()
        .cast(pl.Int64)
        .alias("answer_chars"),
        tokens(pl.col("answer_text")).alias("answer_words"),
    ).sort(KEYS, maintain_order=True)
    return AnswerPool(frame=frame, funnel=funnel)


REAL_ATTEMPT_STEP: Final = "a real attempt (not a non-answer)"


def _answer_metadata(*extra: pl.Expr) -> pl.Expr:
    return pl.struct(
        "institution_id",
        "night",
        "course_id",
        "assignment_id",
        "question_id",
        "submission_id",
        "language",
        "grade",
        "max_grade",
        "grade_fraction",
        *extra,
    ).alias("metadata")


def sft_frame(pool: AnswerPool, config: ExportConfig) -> BuiltDataset:
    """prompt = question, response = a real attempt graded at least `sft_min_grade_fraction` of
    max_grade, at least `sft_min_response_chars` characters and `sft_min_response_words` words
    long (and scored at least `sft_min_rm_score` by the reward model when that is set); of
    answers with equal normalised text to one question, the best graded (then the first by
    institution, night, submission) stays."""
    funnel = pool.funnel.copy()
    frame = pool.frame.filter(pl.col("non_answer_kind").is_null())
    funnel.after(REAL_ATTEMPT_STEP, frame.height)
    frame = frame.filter(pl.col("grade_fraction") >= config.sft_min_grade_fraction)
    funnel.after(f"grade >= {config.sft_min_grade_fraction:g} of max_grade", frame.height)
    frame = frame.filter(
        (pl.col("answer_chars") >= config.sft_min_response_chars)
        & (pl.col("answer_words") >= config.sft_min_response_words)
    )
    funnel.after(
        f"response >= {config.sft_min_response_chars} characters and "
        f">= {config.sft_min_response_words} words",
        frame.height,
    )
    if config.sft_min_rm_score is not None:
        frame = frame.filter(pl.col("rm_score") >= config.sft_min_rm_score)
        funnel.after(f"reward-model score >= {config.sft_min_rm_score:g}", frame.height)
    frame = (
        frame.sort(
            [*PROMPT_GROUP, "grade_fraction", *KEYS], descending=[False] * 3 + [True] + [False] * 3
        )
        .unique([*PROMPT_GROUP, "norm_text"], keep="first", maintain_order=True)
        .sort(KEYS)
    )
    funnel.after("not an exact duplicate of another response to the question", frame.height)
    out = frame.select(
        pl.col("question_text").alias("prompt"),
        pl.col("answer_text").alias("response"),
        _answer_metadata(),
    )
    return BuiltDataset("sft", out, _sources(frame, "response"), funnel)


def reward_frame(pool: AnswerPool, config: ExportConfig) -> BuiltDataset:
    """prompt, response, reward (the human grade normalised to [0, 1]) and the reward model's
    rm_score; answers without a score (no `reward_scores` for their partition) are skipped and
    counted in the funnel. Non-answers stay (their low grade is a true reward) and are labelled
    in `metadata.non_answer`."""
    del config  # every setting of reward is fixed; kept for a uniform signature
    funnel = pool.funnel.copy()
    frame = pool.frame.filter(pl.col("rm_score").is_not_null())
    funnel.after("scored by the reward model", frame.height)
    out = frame.select(
        pl.col("question_text").alias("prompt"),
        pl.col("answer_text").alias("response"),
        pl.col("grade_fraction").alias("reward"),
        pl.col("rm_score").cast(pl.Float64),
        _answer_metadata(pl.col("rm_model_version"), pl.col("non_answer_kind").alias("non_answer")),
    )
    return BuiltDataset("reward", out, _sources(frame, "response"), funnel)


def critique_frame(pool: AnswerPool, config: ExportConfig) -> BuiltDataset:
    """prompt, response, the grader's scrubbed feedback and the normalised grade, for real
    attempts whose grader wrote feedback that says something about them: at least
    `critique_min_feedback_words` words and more than "the answer is empty"."""
    funnel = pool.funnel.copy()
    frame = pool.frame.filter(~_blank(pl.col("feedback")))
    funnel.after("grader feedback present", frame.height)
    frame = frame.filter(pl.col("non_answer_kind").is_null())
    funnel.after(REAL_ATTEMPT_STEP, frame.height)
    frame = frame.filter(
        ~is_empty_answer_note(pl.col("feedback"))
        & (tokens(pl.col("feedback")) >= config.critique_min_feedback_words)
    )
    funnel.after(
        f"feedback says something (>= {config.critique_min_feedback_words} words, "
        "not only 'the answer is empty')",
        frame.height,
    )
    out = frame.select(
        pl.col("question_text").alias("prompt"),
        pl.col("answer_text").alias("response"),
        pl.col("feedback"),
        pl.col("grade_fraction").alias("grade"),
        _answer_metadata(),
    )
    return BuiltDataset("critique", out, _sources(frame, "response"), funnel)


def _chain_order(reason: str) -> tuple[int, str]:
    """Drop reasons in the chain's order; an unknown reason sorts after."""
    return (STEP_ORDER.index(reason) if reason in STEP_ORDER else len(STEP_ORDER), reason)


def pretrain_frame(
    curated: pl.DataFrame, config: ExportConfig, *, erased: pl.DataFrame | None = None
) -> BuiltDataset:
    """Dolma documents `{id, text, source, added, created, metadata}` from the documents the
    chain kept. `id` is `<institution_id>/<submission_id>`, `added` the night the answer reached
    the lake, `created` when the student submitted it (both ISO-8601 text, as Dolma has them)."""
    funnel = Funnel().start("curated documents", curated.height)
    drops = (
        curated.filter(~pl.col("kept").fill_null(False))
        .group_by(pl.col("drop_reason").fill_null("unknown"))
        .len()
    )
    for reason, count in sorted(
        zip(drops["drop_reason"].to_list(), drops["len"].to_list(), strict=True),
        key=lambda rc: _chain_order(rc[0]),
    ):
        funnel.removed(f"filter chain: {reason}", int(count))
    frame = curated.filter(pl.col("kept").fill_null(False))
    frame = without_erased(frame, erased)
    funnel.after("student not erased (audit)", frame.height)
    frame = frame.filter(~_blank(pl.col("answer_text")))
    funnel.after("answer text present", frame.height)
    frame = (
        frame.sort(KEYS, maintain_order=True)
        .with_columns(normalised_text(pl.col("answer_text")).alias("norm_text"))
        .unique(["norm_text"], keep="first", maintain_order=True)
    )
    funnel.after("not an exact duplicate inside the release", frame.height)
    answer = pl.col("answer_text")
    if config.pretrain_include_question:
        question = pl.col("question_text").fill_null("").str.strip_chars()
        text = (
            pl.when(question.str.len_chars() > 0)
            .then(pl.concat_str(question, pl.lit(config.pretrain_separator), answer))
            .otherwise(answer)
        )
    else:
        text = answer
    frame = frame.with_columns(
        pl.coalesce(
            pl.col("language_detected"), pl.col("language"), pl.lit(UNKNOWN_LANGUAGE)
        ).alias("language"),
        pl.when(pl.col("max_grade") > 0)
        .then((pl.col("grade") / pl.col("max_grade")).clip(0.0, 1.0))
        .alias("grade_fraction"),
        text.alias("_text"),
    )
    out = frame.select(
        pl.concat_str("institution_id", pl.lit("/"), "submission_id").alias("id"),
        pl.col("_text").alias("text"),
        pl.lit(config.pretrain_source, dtype=pl.String).alias("source"),
        pl.col("night").dt.to_string("%Y-%m-%d").alias("added"),
        pl.coalesce(
            pl.col("submitted_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ"),
            pl.col("night").dt.to_string("%Y-%m-%d"),
        ).alias("created"),
        _answer_metadata(),
    )
    sources = _sources(frame, "document")
    return BuiltDataset("pretrain", out, sources, funnel)
