"""What a trainer should know before training on a dataset, computed from its rows: how many rows
teach nothing (a non-answer as a response, or on either side of a preference pair), how long the
texts are, how many rows each question gives, how far apart the grades of a pair are, how many rows
are near-duplicates, and which languages. `DATASET_CARD.md` shows it (`render_quality`) and the
exports gate bounds the trivial share (`gate_metrics`).

Non-answers are judged here again from the exported text with the default lists (and, for
preference, the exporter's own `metadata.non_answer_pair` label), so the report checks the
exporter rather than trusting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.exports.config import Dataset
from lakehouse.exports.datasets import TEXT_COLUMNS, tokens
from lakehouse.filters.non_answer import non_answer_kind
from lakehouse.markdown import markdown_table

TRIVIAL_SHARE: Final = "trivial_share"
"""The gate metric: share of rows that teach nothing (see `trivial_rows`)."""

SHORT_CHARS: Final[dict[str, int]] = {"text": 120, "feedback": 25}
"""Below this many characters a text counts as short (default 25: a response or an answer)."""
DEFAULT_SHORT_CHARS: Final = 25
NEAR_DUPLICATE_JACCARD: Final = 0.8
"""Two answers whose word sets overlap at least this much (Jaccard) are near-duplicates."""
QUESTION: Final[tuple[str, ...]] = ("institution_id", "course_id", "question_id")


@dataclass(frozen=True)
class LengthRow:
    column: str
    p10: int
    median: int
    p90: int
    max: int
    median_words: int
    short: int
    """Rows under `short_chars` characters."""
    short_chars: int


@dataclass(frozen=True)
class QualityReport:
    dataset: Dataset
    rows: int
    trivial_rows: int | None
    """Rows with a non-answer as the response (sft, reward, critique) or on either side of the
    pair (preference); None for pretrain, whose documents the chain already judged."""
    lengths: tuple[LengthRow, ...]
    questions: int
    rows_per_question: tuple[int, float, int]
    """(min, median, max) rows per question."""
    near_duplicate_rows: int
    """preference: pairs whose two answers are near-duplicates (word Jaccard >= 0.8); others:
    rows whose text repeats another row's of the same question (pretrain: of the dataset), up to
    case, punctuation and spacing."""
    margin_histogram: tuple[tuple[str, int], ...]
    """preference only: pairs per tenth of `chosen_grade - rejected_grade`."""
    languages: tuple[tuple[str, int], ...]

    @property
    def trivial_share(self) -> float | None:
        if self.trivial_rows is None:
            return None
        return self.trivial_rows / self.rows if self.rows else 0.0


def _meta(field: str) -> pl.Expr:
    return pl.col("metadata").struct.field(field)


def trivial_rows(dataset: Dataset, frame: pl.DataFrame) -> pl.Series | None:
    """Per row: true when it teaches nothing (see `QualityReport.trivial_rows`)."""
    if dataset == "pretrain":
        return None
    if frame.is_empty():
        return pl.Series("trivial", [], dtype=pl.Boolean)
    if dataset == "preference":
        sides = [
            non_answer_kind(pl.col(c), question=pl.col("prompt")).is_not_null()
            for c in ("chosen", "rejected")
        ]
        labelled = pl.lit(False)
        metadata = frame.schema.get("metadata")
        if isinstance(metadata, pl.Struct) and "non_answer_pair" in {
            f.name for f in metadata.fields
        }:
            labelled = _meta("non_answer_pair").fill_null(False)
        flag = sides[0] | sides[1] | labelled
    else:
        flag = non_answer_kind(pl.col("response"), question=pl.col("prompt")).is_not_null()
    return frame.select(flag.alias("trivial")).to_series()


def _lengths(dataset: Dataset, frame: pl.DataFrame) -> tuple[LengthRow, ...]:
    rows = []
    for column in TEXT_COLUMNS[dataset]:
        if column == "prompt":
            continue
        short = SHORT_CHARS.get(column, DEFAULT_SHORT_CHARS)
        chars = pl.col(column).fill_null("").str.len_chars()
        stats = frame.select(
            p10=chars.quantile(0.1, "nearest"),
            median=chars.quantile(0.5, "nearest"),
            p90=chars.quantile(0.9, "nearest"),
            max=chars.max(),
            median_words=tokens(pl.col(column)).quantile(0.5, "nearest"),
            short=(chars < short).sum(),
        ).row(0, named=True)
        rows.append(
            LengthRow(
                column=column,
                p10=int(stats["p10"] or 0),
                median=int(stats["median"] or 0),
                p90=int(stats["p90"] or 0),
                max=int(stats["max"] or 0),
                median_words=int(stats["median_words"] or 0),
                short=int(stats["short"] or 0),
                short_chars=short,
            )
        )
    return tuple(rows)


def _loose(text: pl.Expr) -> pl.Expr:
    return text.fill_null("").str.to_lowercase().str.replace_all(r"[^\p{L}\p{M}\p{N}]+", " ")


def _near_duplicates(dataset: Dataset, frame: pl.DataFrame) -> int:
    if frame.is_empty():
        return 0
    if dataset == "preference":
        a = _loose(pl.col("chosen")).str.split(" ").list.unique()
        b = _loose(pl.col("rejected")).str.split(" ").list.unique()
        jaccard = a.list.set_intersection(b).list.len() / a.list.set_union(b).list.len().clip(1)
        return int(frame.select((jaccard >= NEAR_DUPLICATE_JACCARD).sum()).item())
    text = "text" if dataset == "pretrain" else "response"
    key = _loose(pl.col(text)).str.strip_chars()
    group = [key] if dataset == "pretrain" else [*(_meta(f) for f in QUESTION), key]
    return int(frame.select((pl.len().over(group) > 1).sum()).item())


def _per_question(frame: pl.DataFrame) -> tuple[int, tuple[int, float, int]]:
    if frame.is_empty():
        return 0, (0, 0.0, 0)
    counts = frame.group_by(*(_meta(f) for f in QUESTION)).len()["len"]
    return counts.len(), (int(counts.min()), float(counts.median()), int(counts.max()))  # type: ignore[arg-type]


def margin_histogram(margins: pl.Series) -> tuple[tuple[str, int], ...]:
    """Pairs per tenth of the grade margin (`0.9-1.0` includes 1.0)."""
    buckets = (
        margins.cast(pl.Float64)
        .to_frame("m")
        .select(((pl.col("m") * 10 + 1e-9).floor().clip(0, 9)).cast(pl.Int64).alias("b"))
        .group_by("b")
        .len()
    )
    counts = dict(zip(buckets["b"].to_list(), buckets["len"].to_list(), strict=True))
    return tuple((f"{i / 10:.1f}-{(i + 1) / 10:.1f}", int(counts.get(i, 0))) for i in range(10))


def quality_report(dataset: Dataset, frame: pl.DataFrame) -> QualityReport:
    """The report of one dataset's rows (the frame that is written)."""
    flags = trivial_rows(dataset, frame)
    questions, per_question = _per_question(frame)
    margins: tuple[tuple[str, int], ...] = ()
    if dataset == "preference":
        margins = margin_histogram(frame["chosen_grade"] - frame["rejected_grade"])
    languages: tuple[tuple[str, int], ...] = ()
    if not frame.is_empty():
        mix = (
            frame.select(_meta("language").cast(pl.String).fill_null("und").alias("language"))
            .group_by("language")
            .len()
            .sort(["len", "language"], descending=[True, False])
        )
        languages = tuple(mix.iter_rows())
    return QualityReport(
        dataset=dataset,
        rows=frame.height,
        trivial_rows=None if flags is None else int(flags.sum()),
        lengths=_lengths(dataset, frame),
        questions=questions,
        rows_per_question=per_question,
        near_duplicate_rows=_near_duplicates(dataset, frame),
        margin_histogram=margins,
        languages=languages,
    )


def gate_metrics(dataset: Dataset, frame: pl.DataFrame) -> dict[str, float]:
    """What the exports gate bounds: `trivial_share` (0 where the dataset has no such rows)."""
    flags = trivial_rows(dataset, frame)
    share = 0.0 if flags is None or flags.is_empty() else float(flags.mean())  # type: ignore[arg-type]
    return {TRIVIAL_SHARE: share}


def _share(n: int, total: int) -> str:
    return f"{n} ({n / total:.1%})" if total else f"{n}"


def rows_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A card's Markdown table of `rows` (each value its `str()`), by `lakehouse.markdown`."""
    frame = pl.DataFrame(
        [[str(v) for v in row] for row in rows],
        schema=dict.fromkeys(headers, pl.String),
        orient="row",
    )
    return markdown_table(frame)


def render_quality(report: QualityReport) -> str:
    """The card's quality section (Markdown, without its heading)."""
    r = report
    unit = "pairs" if r.dataset == "preference" else "rows"
    if r.trivial_rows is None:
        trivial = "- trivial rows: not judged here (the filter chain dropped non-answers)."
    elif r.dataset == "preference":
        trivial = f"- trivial pairs (a non-answer as chosen or rejected): {_share(r.trivial_rows, r.rows)}"
    else:
        trivial = f"- rows whose response is a non-answer: {_share(r.trivial_rows, r.rows)}"
    lo, median, hi = r.rows_per_question
    near = (
        "pairs whose two answers are near-duplicates (word overlap >= 0.8)"
        if r.dataset == "preference"
        else "rows repeating another row's text"
        + ("" if r.dataset == "pretrain" else " for the same question")
        + " (up to case, punctuation, spacing)"
    )
    parts = [
        "Computed from the rows of this release. Non-answers are judged again here from the text "
        '(empty, placeholder such as "No response.", refusal such as "I don\'t know" / '
        '"पता नहीं", or a restated question).',
        "",
        trivial,
        f"- {unit} per question: {r.questions} questions, min {lo}, median {median:g}, max {hi}",
        f"- near-duplicates: {_share(r.near_duplicate_rows, r.rows)} {near}",
        "",
        "Lengths in characters:",
        "",
        rows_table(
            ("column", "p10", "median", "p90", "max", "median words", "short"),
            [
                (
                    row.column,
                    row.p10,
                    row.median,
                    row.p90,
                    row.max,
                    row.median_words,
                    f"{_share(row.short, r.rows)} under {row.short_chars}",
                )
                for row in r.lengths
            ],
        ),
    ]
    if r.dataset == "preference":
        parts += [
            "",
            "Grade margin (`chosen_grade - rejected_grade`):",
            "",
            rows_table(("margin", "pairs"), r.margin_histogram),
        ]
    parts += [
        "",
        "Language mix:",
        "",
        rows_table(("language", "share"), [(lang, _share(n, r.rows)) for lang, n in r.languages])
        if r.languages
        else "no rows.",
    ]
    return "\n".join(parts)
