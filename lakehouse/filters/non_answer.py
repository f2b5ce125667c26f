"""Non-answers: empty, placeholder and refusal answers, and answers that only restate the question.

Real LMS exports are full of them: 168 of the 1,476 SAF answers (../shared/data) are "No response.",
"No submission.", "Empty submission." or blank. They are not text worth pretraining on, and in
post-training they teach only that something beats nothing (a preference pair with "No response."
as `rejected`), so the chain drops them first and the exports read its verdict.

An answer is judged on its segments (lines and sentences), each normalised (NFC, lower case,
apostrophes dropped, every run of non-word characters one space). It is

- `empty` when it has no letter and no digit at all ("", "-", "...", "?");
- `placeholder` when every segment is a placeholder ("No response.", "N/A", "not attempted",
  "उत्तर नहीं", ...);
- `refusal` when every segment is a placeholder or a refusal ("I don't know", "पता नहीं",
  "gottilla", "தெரியாது", "తెలియదు", "জানি না", ...), courtesy words around it ("sir", "please",
  "sorry") ignored;
- `restated_question` when it has at least `restated_min_words` words and none that the question
  lacks.

Lists (`lakehouse.filters.non_answer_phrases`) cover English and every language the chain keeps,
in its script and romanised; an institution adds its own phrases (`extra_phrases`) or declares
some real answers in its courses (`allowed_phrases`, e.g. "Na" is sodium in a chemistry course),
see `NonAnswerParams.for_institution`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from lakehouse.filters.non_answer_phrases import (
    COURTESY_PREFIX,
    COURTESY_SUFFIX,
    COURTESY_SUFFIX_SCRIPTS,
    EMPTY_ANSWER_NOTES,
    PLACEHOLDERS,
    REFUSALS,
)
from lakehouse.filters.step import TEXT_COLUMN, pass_column
from lakehouse.filters.text_units import words

KINDS: Final[tuple[str, ...]] = ("empty", "placeholder", "refusal", "restated_question")
"""Values of `non_answer_kind` (null: a real attempt)."""

SEGMENT_BREAK: Final = r"\r?\n|[.!?।॥؟۔;]+(?:\s+|$)"
"""Lines, and sentences ended by a terminal mark followed by a space or the end ("N.A." stays one
segment)."""
_SEP: Final = "\x1f"


def flatten(phrases: dict[str, tuple[str, ...]]) -> frozenset[str]:
    return frozenset(p for values in phrases.values() for p in values)


def normalise(text: pl.Expr) -> pl.Expr:
    """NFC, lower case, apostrophes and zero-width joiners dropped, every run of characters that
    are not letters, combining marks or digits one space, trimmed: "I don't know!" -> "i dont
    know", "N/A" -> "n a"."""
    return (
        text.str.normalize("NFC")
        .str.to_lowercase()
        .str.replace_all(r"['’‘`´\u200c\u200d]", "")
        .str.replace_all(r"[^\p{L}\p{M}\p{N}]+", " ")
        .str.strip_chars()
    )


def normalised_set(phrases: Iterable[str]) -> pl.Series:
    """Phrases normalised exactly as answers are (so a list may be written naturally)."""
    series = pl.Series("p", sorted(set(phrases)), dtype=pl.String)
    return (
        series.to_frame()
        .select(normalise(pl.col("p")))
        .filter(pl.col("p").str.len_chars() > 0)
        .unique()
        .sort("p")
        .to_series()
    )


def _strip_courtesy(segment: pl.Expr) -> pl.Expr:
    prefix = "|".join(COURTESY_PREFIX)
    suffix = "|".join((*COURTESY_SUFFIX, *COURTESY_SUFFIX_SCRIPTS))
    return segment.str.replace(rf"^(?:(?:{prefix}) )+", "").str.replace(rf"(?: (?:{suffix}))+$", "")


@dataclass(frozen=True)
class NonAnswerParams:
    placeholders: frozenset[str] = field(default_factory=lambda: flatten(PLACEHOLDERS))
    refusals: frozenset[str] = field(default_factory=lambda: flatten(REFUSALS))
    extra_phrases: frozenset[str] = frozenset()
    """The institution's own placeholders (its LMS's "Not submitted by student", ...)."""
    allowed_phrases: frozenset[str] = frozenset()
    """Phrases that are real answers in the institution's courses ("Na", "NaN", "test")."""
    max_phrase_chars: int = 300
    """Longer answers are never judged placeholders or refusals (no list phrase, even repeated
    on a few lines, is that long); it keeps the segment matching off real answers, ~10x faster."""
    restated_min_words: int | None = 3
    """An answer of at least this many words, every one of them in the question, restates it;
    None switches the rule off. Shorter answers built from the question's words are often real
    ("TCP" to "Which is reliable, TCP or UDP?")."""

    @classmethod
    def for_institution(
        cls, *, extra_phrases: Iterable[str] = (), allowed_phrases: Iterable[str] = ()
    ) -> NonAnswerParams:
        """The defaults plus an institution's own lists (`InstitutionConfig.non_answer_*`)."""
        return cls(
            extra_phrases=frozenset(extra_phrases), allowed_phrases=frozenset(allowed_phrases)
        )

    def lists(self) -> tuple[pl.Series, pl.Series]:
        """(placeholders, placeholders and refusals), normalised, minus the allowed phrases."""
        allowed = normalised_set(self.allowed_phrases)
        placeholders = normalised_set(self.placeholders | self.extra_phrases)
        everything = normalised_set(self.placeholders | self.extra_phrases | self.refusals)
        return (
            placeholders.filter(~placeholders.is_in(allowed)),
            everything.filter(~everything.is_in(allowed)),
        )


def new_word_count(text: pl.Expr, question: pl.Expr) -> pl.Expr:
    """Distinct words of `text` that `question` does not have."""
    return (
        words(text.fill_null(""))
        .list.set_difference(words(question.fill_null("")))
        .list.len()
        .cast(pl.Int64)
    )


def non_answer_kind(
    text: pl.Expr, *, question: pl.Expr | None = None, params: NonAnswerParams | None = None
) -> pl.Expr:
    """The kind of non-answer `text` is (one of `KINDS`), or null for a real attempt."""
    p = params or NonAnswerParams()
    placeholders, anything = p.lists()
    body = text.fill_null("")
    short = pl.when(body.str.len_chars() <= p.max_phrase_chars).then(body).otherwise(pl.lit(""))
    segments = (
        short.str.replace_all(SEGMENT_BREAK, _SEP)
        .str.split(_SEP)
        .list.eval(normalise(pl.element()))
        .list.filter(pl.element().str.len_chars() > 0)
    )
    stripped = segments.list.eval(_strip_courtesy(pl.element()))
    n = segments.list.len()

    def every(values: pl.Series) -> pl.Expr:
        hit = pl.element().is_in(values.implode())
        return (
            (n > 0) & (segments.list.eval(hit).list.all() | stripped.list.eval(hit).list.all())
        ).fill_null(False)

    kind = (
        pl.when(~body.str.contains(r"[\p{L}\p{N}]"))
        .then(pl.lit("empty"))
        .when(every(placeholders))
        .then(pl.lit("placeholder"))
        .when(every(anything))
        .then(pl.lit("refusal"))
    )
    if question is not None and p.restated_min_words is not None:
        kind = kind.when(
            question.is_not_null()
            & (words(body).list.len() >= p.restated_min_words)
            & (new_word_count(body, question) == 0)
        ).then(pl.lit("restated_question"))
    return kind.otherwise(pl.lit(None, dtype=pl.String))


def is_empty_answer_note(feedback: pl.Expr, *, params: NonAnswerParams | None = None) -> pl.Expr:
    """True where grader feedback only says that the answer is missing ("The response is
    empty."), or is itself blank or a placeholder: feedback that says nothing about an answer."""
    notes = normalised_set(EMPTY_ANSWER_NOTES)
    segments = (
        feedback.fill_null("")
        .str.replace_all(SEGMENT_BREAK, _SEP)
        .str.split(_SEP)
        .list.eval(normalise(pl.element()))
        .list.filter(pl.element().str.len_chars() > 0)
    )
    only_notes = (segments.list.len() > 0) & segments.list.eval(
        pl.element().is_in(notes.implode())
    ).list.all()
    return (only_notes | non_answer_kind(feedback, params=params).is_not_null()).fill_null(True)


@dataclass(frozen=True)
class NonAnswerStep:
    """Columns `non_answer_kind` (one of `KINDS`, null for a real attempt),
    `non_answer_new_words` (answer words the question lacks; null without a question) and
    `non_answer_pass`."""

    params: NonAnswerParams = NonAnswerParams()
    name: str = "non_answer"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        text = pl.col(TEXT_COLUMN)
        question = pl.col("question_text") if "question_text" in frame.columns else None
        new_words: pl.Expr = pl.lit(None, dtype=pl.Int64)
        if question is not None:
            new_words = (
                pl.when(question.is_not_null()).then(new_word_count(text, question)).otherwise(None)
            )
        return frame.with_columns(
            non_answer_kind=non_answer_kind(text, question=question, params=self.params),
            non_answer_new_words=new_words,
        ).with_columns(pl.col("non_answer_kind").is_null().alias(pass_column(self.name)))
