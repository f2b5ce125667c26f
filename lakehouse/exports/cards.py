"""`DATASET_CARD.md`: what a trainer needs to know about one dataset of one release, computed from
the very frame that was written (so the card's numbers are the data's numbers) and with nothing
that changes between two builds of the same release (no clock, no absolute path)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from lakehouse.exports.config import Dataset, ExportConfig
from lakehouse.exports.datasets import EXPORT_COLUMNS, TEXT_COLUMNS, dataset_tokens
from lakehouse.exports.funnel import Funnel
from lakehouse.exports.quality import quality_report, render_quality, rows_table
from lakehouse.exports.shards import Shard
from lakehouse.home import PartitionRef

CARD_NAME: Final = "DATASET_CARD.md"

DESCRIPTIONS: Final[dict[Dataset, str]] = {
    "pretrain": (
        "Dolma-style documents `{id, text, source, added, created, metadata}`: student answers "
        "that passed the whole filter chain (language, heuristics, repetition, correction, "
        "perplexity, quality, paragraph/MinHash/exact dedup across institutions and nights, "
        "safety, topic)."
    ),
    "sft": "`{prompt, response, metadata}`: questions and the answers graded well enough.",
    "preference": (
        "`{prompt, chosen, rejected, chosen_grade, rejected_grade, metadata}`: two answers to the "
        "same question by different students whose grades differ enough; `chosen` is the better "
        "graded."
    ),
    "reward": (
        "`{prompt, response, reward, rm_score, metadata}`: the human grade normalised to [0, 1] "
        "and the reward model's score of the same answer."
    ),
    "critique": (
        "`{prompt, response, feedback, grade, metadata}`: the examiner's (scrubbed) notes on an "
        "answer and its normalised grade."
    ),
}

RULES: Final[dict[Dataset, str]] = {
    "pretrain": (
        "Documents the chain kept (`curated_documents.kept`), minus erased students and exact "
        "duplicates left inside the release. `text` is {text}. `id` is "
        "`<institution_id>/<submission_id>`; `added` is the night the answer reached the lake, "
        "`created` when it was submitted (UTC)."
    ),
    "sft": (
        'Graded real attempts (not a non-answer such as "No response.") with '
        "`grade / max_grade >= {sft}`, at least {sft_chars} characters and {sft_words} words"
        "{sft_rm}; among answers to one question with the same normalised text (lower case, "
        "whitespace collapsed) only the best graded is kept."
    ),
    "preference": (
        'Real attempts (never a non-answer such as "No response.", "N/A" or "पता नहीं"; '
        "pairs with one are {non_answer}) to questions with at least {min_answers} graded real "
        "attempts, ranked by grade and split into halves; the top half meets the bottom half in "
        "{k} rotating rounds, so no answer is in more than {k} pairs{grader}. A pair is kept when "
        "the students differ, `chosen_grade - rejected_grade >= {margin}` (ties never pair) and "
        "the answers are not near-duplicates (same MinHash cluster or equal normalised text). "
        "Grades are normalised to [0, 1]; raw grades, `same_grader` and `non_answer_pair` are in "
        "`metadata`."
    ),
    "reward": (
        "Every graded answer with a reward-model score; answers of partitions the reward model "
        "has not scored are left out and counted in the funnel. `reward = grade / max_grade`. "
        'Non-answers stay (a zero for "No response." is a true reward), labelled in '
        "`metadata.non_answer`."
    ),
    "critique": (
        "Every graded real attempt whose grader wrote feedback of at least {critique_words} words "
        'that says more than "the response is empty"; `grade = grade / max_grade`. Feedback is '
        "scrubbed like the answers."
    ),
}

CONSENT_POLICY: Final = (
    "Only answers of students whose consent status is `granted` (and, for a minor, with "
    "guardian consent, India's DPDP Act 2023, section 9) ever reach the silver layer the exports "
    "read; withdrawn, pending or missing consent is excluded before scrubbing and counted there."
)
PII_POLICY: Final = (
    "Free text (questions, answers, feedback) is scrubbed with Presidio and Indian recognisers "
    "(names from the roster, phone, e-mail, Aadhaar, PAN, roll numbers, ...), each replaced by a "
    "typed placeholder such as `<PERSON>`. Student and grader ids are keyed HMAC pseudonyms; no "
    "export file holds a pseudonym, a raw id or a roster name (student pseudonyms are kept only "
    "in the lake's contributor ledger)."
)


@dataclass(frozen=True)
class ErasureNote:
    """What the card says about erasure requests."""

    erased_in_audit: int
    """Distinct erased students in the audit for the institutions of the release."""
    excluded_rows: int
    """Rows this build dropped because their student is in the audit (0 when every partition
    holding them was re-run, as it should be)."""
    previous_release: str | None = None
    erased_since_previous: int = 0
    """Erased students who had answers in the previous release and have none in this one."""
    withdrawn_releases: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CardContext:
    dataset: Dataset
    release_id: str
    refs: tuple[PartitionRef, ...]
    config: ExportConfig
    frame: pl.DataFrame
    funnel: Funnel
    shards: Sequence[Shard]
    rm_versions: dict[str, int]
    erasure: ErasureNote
    missing_reward_partitions: tuple[PartitionRef, ...] = ()


def value_counts(frame: pl.DataFrame, field_name: str) -> list[tuple[str, int]]:
    """(value, rows) of one `metadata` field, most rows first, then by value."""
    if frame.is_empty():
        return []
    counts = (
        frame.select(pl.col("metadata").struct.field(field_name).cast(pl.String).fill_null("null"))
        .to_series()
        .value_counts(name="rows")
        .sort(["rows", field_name], descending=[True, False])
    )
    return list(zip(counts[field_name].to_list(), counts["rows"].to_list(), strict=True))


def grade_histogram(grades: pl.Series) -> list[tuple[str, int]]:
    """Rows per tenth of the normalised grade (`0.9-1.0` includes 1.0); null is `ungraded`."""
    labels = [f"{i / 10:.1f}-{(i + 1) / 10:.1f}" for i in range(10)]
    frame = pl.DataFrame({"g": grades.cast(pl.Float64)}).select(
        (pl.col("g") * 10).floor().clip(0, 9).cast(pl.Int64).alias("bucket")
    )
    grouped = frame.group_by("bucket").len()
    counts: dict[int | None, int] = dict(
        zip(grouped["bucket"].to_list(), grouped["len"].to_list(), strict=True)
    )
    rows = [(labels[i], int(counts.get(i, 0))) for i in range(10)]
    if counts.get(None):
        rows.append(("ungraded", int(counts[None])))
    return rows


def _grades(ctx: CardContext) -> str:
    f = ctx.frame
    if ctx.dataset == "preference":
        chosen = grade_histogram(f["chosen_grade"])
        rejected = dict(grade_histogram(f["rejected_grade"]))
        return rows_table(
            ("normalised grade", "chosen", "rejected"),
            [(label, n, rejected.get(label, 0)) for label, n in chosen],
        )
    if ctx.dataset == "reward":
        column = f["reward"]
    elif ctx.dataset == "critique":
        column = f["grade"]
    else:
        column = f.select(pl.col("metadata").struct.field("grade_fraction")).to_series()
    return rows_table(("normalised grade", "rows"), grade_histogram(column))


def _listed(refs: Sequence[PartitionRef], limit: int = 10) -> str:
    if not refs:
        return "none"
    shown = ", ".join(f"`{r}`" for r in refs[:limit])
    return f"{len(refs)} ({shown}{', ...' if len(refs) > limit else ''})"


def _nights(refs: Sequence[PartitionRef]) -> str:
    nights = sorted({r.night for r in refs})
    institutions = sorted({r.institution_id for r in refs})
    return (
        f"{len(refs)} partitions: {len(institutions)} institutions x nights "
        f"{nights[0].isoformat()} to {nights[-1].isoformat()} ({len(nights)} nights)"
    )


def _rule(ctx: CardContext) -> str:
    c = ctx.config
    text = (
        f"question, {c.pretrain_separator!r}, corrected answer"
        if c.pretrain_include_question
        else "the corrected answer alone"
    )
    return RULES[ctx.dataset].format(
        text=text,
        sft=f"{c.sft_min_grade_fraction:g}",
        sft_chars=c.sft_min_response_chars,
        sft_words=c.sft_min_response_words,
        sft_rm=(
            ""
            if c.sft_min_rm_score is None
            else f" and a reward-model score of at least {c.sft_min_rm_score:g}"
        ),
        k=c.preference_max_pairs_per_answer,
        margin=f"{c.preference_min_margin:g}",
        min_answers=c.preference_min_answers_per_question,
        non_answer=(
            "excluded"
            if c.preference_max_non_answer_share == 0
            else f"at most {c.preference_max_non_answer_share:g} of the pairs"
        ),
        grader=(
            "; answers graded by the same grader are paired first, then across graders"
            if c.preference_prefer_same_grader
            else ""
        ),
        critique_words=c.critique_min_feedback_words,
    )


def _quality(ctx: CardContext) -> str:
    """The quality section (issue 21), computed from the rows written."""
    return render_quality(quality_report(ctx.dataset, ctx.frame))


def _erasure(ctx: CardContext) -> str:
    e = ctx.erasure
    lines = [
        "- Students recorded in the audit for these institutions as erased or as having "
        f"withdrawn consent: {e.erased_in_audit}; none of their answers (for a withdrawal: of "
        "the nights up to it) is in this release.",
        f"- Rows dropped by this build's erasure check: {e.excluded_rows}.",
    ]
    if e.previous_release is None:
        lines.append("- Previous release: none.")
    else:
        lines.append(
            f"- Previous release `{e.previous_release}`: {e.erased_since_previous} erased or "
            "withdrawn students who had answers there are absent from this release."
        )
    if e.withdrawn_releases:
        listed = ", ".join(f"`{r}`" for r in e.withdrawn_releases)
        lines.append(
            "- Earlier releases withdrawn because they held students who were erased or "
            f"withdrew consent: {listed}."
        )
    return "\n".join(lines)


LOADING_SETUP: Final = (
    "Run these from `$LAKEHOUSE_HOME` (after `make demo`: `cd lakehouse_home`); paths are "
    "relative to it. polars and DuckDB come with the project; `datasets` is its optional `hf` "
    "extra: `pip install 'homework-lakehouse[hf]'` (in a checkout: `.venv/bin/pip install -e "
    "'.[hf]'`; `make install` already has it). Each snippet returns exactly the columns listed "
    "under Schema: the release folder's `release=` name is not a column (hive partitioning is "
    "off)."
)


def _loading(ctx: CardContext) -> str:
    folder = f"exports/{ctx.dataset}/release={ctx.release_id}"
    pattern = f"{folder}/*.parquet"
    blocks = [
        LOADING_SETUP,
        "",
        "```python",
        "import datasets",
        f'ds = datasets.load_dataset("parquet", data_files="{pattern}", split="train")',
        "```",
        "",
        "```python",
        "import polars as pl",
        f'df = pl.read_parquet("{pattern}", hive_partitioning=False)',
        "```",
        "",
        "```python",
        "import duckdb",
        f"rel = duckdb.sql(\"SELECT * FROM read_parquet('{pattern}', hive_partitioning = false)\")",
        "```",
    ]
    if ctx.dataset == "pretrain":
        blocks += [
            "",
            f"The same documents as Dolma JSON Lines: `{folder}/part-*.jsonl.gz`.",
        ]
    return "\n".join(blocks)


def render_card(ctx: CardContext) -> str:
    """The card's Markdown text."""
    f = ctx.frame
    c = ctx.config
    tokens = dataset_tokens(f, ctx.dataset)
    shard_rows = rows_table(
        ("shard", "rows", "files"),
        [(s.index, s.rows, ", ".join(f"`{n}`" for n in s.files)) for s in ctx.shards],
    )
    rm_rows = [(v, n) for v, n in sorted(ctx.rm_versions.items())] or [("none", 0)]
    missing = _listed(ctx.missing_reward_partitions)
    metadata_fields = (
        ", ".join(f"`{n}`" for n in f.schema["metadata"].to_schema())  # type: ignore[attr-defined]
        if "metadata" in f.columns
        else ""
    )
    sections = [
        f"# {ctx.dataset}: homework lakehouse export, release `{ctx.release_id}`",
        "",
        DESCRIPTIONS[ctx.dataset],
        "",
        "## Release",
        "",
        f"- release: `{ctx.release_id}`",
        f"- includes {_nights(ctx.refs)}",
        f"- settings: sft_min_grade_fraction={c.sft_min_grade_fraction:g}, "
        f"preference_min_margin={c.preference_min_margin:g}, "
        f"preference_max_pairs_per_answer={c.preference_max_pairs_per_answer}, "
        f"pretrain_include_question={c.pretrain_include_question}, "
        f"shard_max_rows={c.shard_max_rows}, shard_max_bytes={c.shard_max_bytes}",
        "- rebuilding this release from the same lake gives byte-identical shards.",
        "",
        "## Numbers",
        "",
        f"- rows: {f.height}",
        f"- tokens: {tokens}",
        f"- shards: {len(ctx.shards)}",
        "",
        "Tokens are words as the filter chain counts them (runs of letters, combining marks and "
        f"digits, any script) over {', '.join(f'`{t}`' for t in TEXT_COLUMNS[ctx.dataset])}.",
        "",
        shard_rows,
        "",
        "## Rule",
        "",
        _rule(ctx),
        "",
        "## Quality",
        "",
        _quality(ctx),
        "",
        "## Languages",
        "",
        "Detected by the filter chain's language step (fastText), else declared, else `und`.",
        "",
        rows_table(("language", "rows"), value_counts(f, "language")),
        "",
        "## Institutions",
        "",
        rows_table(("institution", "rows"), value_counts(f, "institution_id")),
        "",
        "## Filter funnel",
        "",
        rows_table(("step", "removed", "remaining"), ctx.funnel.frame().rows()),
        "",
        "## Grade distribution",
        "",
        _grades(ctx),
        "",
        "## Reward model",
        "",
        (
            "Rows of this dataset by reward-model version:"
            if ctx.dataset == "reward"
            else "Answers of this release's partitions scored, by reward-model version:"
        ),
        "",
        rows_table(("rm_model_version", "rows"), rm_rows),
        "",
        f"Partitions without reward scores: {missing}.",
        "",
        "## Consent, personal data and erasure",
        "",
        f"- Consent: {CONSENT_POLICY}",
        f"- Personal data: {PII_POLICY}",
        _erasure(ctx),
        "",
        "## Schema",
        "",
        f"Columns: {', '.join(f'`{n}`' for n in EXPORT_COLUMNS[ctx.dataset])}.",
        f"`metadata` fields: {metadata_fields}.",
        "",
        "## Loading",
        "",
        _loading(ctx),
        "",
    ]
    return "\n".join(sections)
