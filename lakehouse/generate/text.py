"""Turn a slice of integer recipes into contract records: answer text, feedback, planted PII.

All string work is polars gathers and concatenations over whole columns; the only per-row Python
is none. Returns the records and the truth about what was planted in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from lakehouse.generate.courses import MAX_POINTS, QuestionTable
from lakehouse.generate.people import Institution
from lakehouse.generate.phrases import (
    ANSWER_LANGUAGES,
    FEEDBACK,
    FEEDBACK_LANGUAGE,
    FILLERS,
    KEYBOARD_MASH,
    OPENERS,
    REPEATED_LINES,
    SHORT_ANSWERS,
)
from lakehouse.generate.pii import (
    DECOY_FORMS,
    DECOY_TEMPLATES,
    PII_FORMS,
    TEMPLATE_GROUP,
    decoy_values,
    pii_template_groups,
    pii_values,
    wrap,
)

_FLORES_LANGS = {"en": "en", "hi": "hi", "kn": "kn", "ta": "ta"}


def _pick(bank: list[str] | tuple[str, ...], idx: npt.NDArray[np.int64]) -> pl.Series:
    """bank[idx], null where idx < 0."""
    series = pl.Series([*bank, None], dtype=pl.String)
    return series.gather(np.where(idx < 0, len(bank), idx))


@dataclass(frozen=True)
class PhraseBank:
    """Openers and fillers of every answer language, flattened with per-language offsets."""

    fillers: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, corpus_dir: Path | None) -> PhraseBank:
        """Built-in fillers, plus up to 15 FLORES-200 sentences per language from `corpus_dir`
        (off-topic sentences make realistic padding in weak answers)."""
        fillers = dict(FILLERS)
        flores = corpus_dir / "flores200_dev_11lang.tsv" if corpus_dir else None
        if flores is not None and flores.is_file():
            frame = pl.read_csv(flores, separator="\t", quote_char=None)
            for ours, theirs in _FLORES_LANGS.items():
                extra = frame.filter(pl.col("lang") == theirs)["text"].head(15).to_list()
                fillers[ours] = (*fillers[ours], *extra)
        return cls(fillers)

    def _flat(self, banks: dict[str, tuple[str, ...]]) -> tuple[list[str], npt.NDArray[np.int64]]:
        flat = [p for lang in ANSWER_LANGUAGES for p in banks[lang]]
        counts = np.array([len(banks[lang]) for lang in ANSWER_LANGUAGES], dtype=np.int64)
        return flat, np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)

    @cached_property
    def opener_counts(self) -> npt.NDArray[np.int64]:
        return np.array([len(OPENERS[lang]) for lang in ANSWER_LANGUAGES], dtype=np.int64)

    @cached_property
    def filler_counts(self) -> npt.NDArray[np.int64]:
        return np.array([len(self.fillers[lang]) for lang in ANSWER_LANGUAGES], dtype=np.int64)

    def openers(self, lang: npt.NDArray[np.int64], idx: npt.NDArray[np.int64]) -> pl.Series:
        flat, starts = self._flat(OPENERS)
        return _pick(flat, np.where(idx < 0, -1, starts[lang] + idx))

    def filler(self, lang: npt.NDArray[np.int64], idx: npt.NDArray[np.int64]) -> pl.Series:
        flat, starts = self._flat(self.fillers)
        return _pick(flat, np.where(idx < 0, -1, starts[lang] + idx))


@dataclass(frozen=True)
class NightContext:
    institution: Institution
    table: QuestionTable
    phrases: PhraseBank
    night: date


def _answers(r: pl.DataFrame, ctx: NightContext) -> pl.Series:
    table = ctx.table
    track = r["track"].to_numpy()
    mask = r["mask"].to_numpy()
    lang = r["lang"].to_numpy()
    points = []
    for j in range(MAX_POINTS):
        idx = np.where((mask >> j) & 1 == 1, table.point_index[track, j], -1)
        points.append(_pick(table.point_bank, idx).alias(f"p{j}"))
    parts = pl.DataFrame(
        [
            *points,
            ctx.phrases.openers(lang, r["opener"].to_numpy()).alias("opener"),
            ctx.phrases.filler(lang, r["filler_a"].to_numpy()).alias("fa"),
            ctx.phrases.filler(lang, r["filler_b"].to_numpy()).alias("fb"),
            r["newline"],
            r["lower"],
            r["junk"],
            r["junk_pick"],
            r["repeat"],
        ]
    )
    cols = [f"p{j}" for j in range(MAX_POINTS)]
    body = (
        pl.when(pl.col("newline"))
        .then(pl.concat_str(cols, separator="\n", ignore_nulls=True))
        .otherwise(pl.concat_str(cols, separator=" ", ignore_nulls=True))
    )
    text = pl.concat_str(
        [pl.col("opener"), body.replace("", None), pl.col("fa"), pl.col("fb")],
        separator=" ",
        ignore_nulls=True,
    )
    text = pl.when(pl.col("lower")).then(text.str.to_lowercase()).otherwise(text)
    pick = pl.col("junk_pick")
    mash = pl.lit(pl.Series(KEYBOARD_MASH)).gather(pick % len(KEYBOARD_MASH))
    line = pl.lit(pl.Series(REPEATED_LINES)).gather(pick % len(REPEATED_LINES))
    short = pl.lit(pl.Series(SHORT_ANSWERS)).gather(pick % len(SHORT_ANSWERS))
    return parts.select(
        pl.when(pl.col("junk") == 1)
        .then(mash)
        .when(pl.col("junk") == 2)
        .then(line.repeat_by(pl.col("repeat")).list.join("\n"))
        .when(pl.col("junk") == 3)
        .then(pl.lit(""))
        .when(pl.col("junk") == 4)
        .then(short)
        .otherwise(text)
        .alias("answer_text")
    )["answer_text"]


def _feedback(r: pl.DataFrame, ctx: NightContext, course_lang: list[str]) -> pl.Series:
    groups = [(lang, band) for lang in FEEDBACK for band in range(3)]
    flat = [t for lang, band in groups for t in FEEDBACK[lang][band]]
    counts = np.array([len(FEEDBACK[lang][band]) for lang, band in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    fb_lang = np.array(
        [list(FEEDBACK).index(FEEDBACK_LANGUAGE[c]) for c in course_lang], dtype=np.int64
    )
    group = (
        fb_lang[ctx.table.track_question[r["track"].to_numpy()] * 0 + r["question"].to_numpy()] * 3
    )
    group = group + r["band"].to_numpy()
    pick = r["feedback_pick"].to_numpy()
    return _pick(flat, np.where(pick < 0, -1, starts[group] + pick % counts[group]))


def materialise(
    recipe: pl.DataFrame, ctx: NightContext, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(records, planted PII, decoys) for a slice of a night's recipe.

    records: the contract fields, typed (grade floats, submitted_at UTC datetime), plus `row`,
    `ts_format` and `extra` for the writers. PII: row, submission_id, field, entity_type, value.
    Decoys: row, submission_id, field, decoy_type, value.
    """
    table, inst = ctx.table, ctx.institution
    q = recipe["question"].to_numpy()
    students = inst.students.gather(recipe["student"])
    sid = pl.concat_str(
        pl.lit(f"sub-{ctx.night:%Y%m%d}-"), pl.col("row").cast(pl.String).str.zfill(7)
    )
    course_langs = table.course_languages
    answer = _answers(recipe, ctx)
    feedback = _feedback(recipe, ctx, course_langs)

    # Feedback that names the student.
    named = recipe["feedback_name"].to_numpy() & ~feedback.is_null().to_numpy()
    initial = recipe["feedback_name_initial"].to_numpy()
    fb_name = students.with_columns(i=pl.Series(initial)).select(
        pl.when(pl.col("i"))
        .then(pl.concat_str("given", pl.lit(" "), pl.col("surname").str.slice(0, 1), pl.lit(".")))
        .otherwise(pl.col("full_name"))
        .alias("s")
    )["s"]
    feedback = pl.DataFrame({"n": fb_name, "fb": feedback, "named": named}).select(
        pl.when(pl.col("named"))
        .then(pl.concat_str("n", pl.lit(", "), "fb"))
        .otherwise(pl.col("fb"))
    )["n"]

    # PII in answers: the student's own details, or (for names) sometimes a classmate's.
    pii_rows = np.flatnonzero(recipe["pii_form"].to_numpy() >= 0)
    form = recipe["pii_form"].to_numpy()[pii_rows]
    other = recipe["pii_other_person"].to_numpy()[pii_rows] & (form <= 4)
    person = np.where(
        other,
        recipe["person_pick"].to_numpy()[pii_rows] % inst.students.height,
        recipe["student"].to_numpy()[pii_rows],
    )
    people = inst.students.gather(person).select(
        "given", "surname", "full_name", "name_devanagari", "roll_number"
    )
    values = pii_values(people, form, rng)
    groups, index = pii_template_groups()
    lookup = np.array(
        [[index[(entity, TEMPLATE_GROUP[a])] for a in ANSWER_LANGUAGES] for entity, _ in PII_FORMS],
        dtype=np.int64,
    )
    group = lookup[form, recipe["lang"].to_numpy()[pii_rows]]
    sentences = wrap(values, group, groups, rng)

    decoy_rows = np.flatnonzero(recipe["decoy_form"].to_numpy() >= 0)
    dform = recipe["decoy_form"].to_numpy()[decoy_rows]
    dvalues = decoy_values(dform, rng)
    dsentences = wrap(dvalues, dform, [DECOY_TEMPLATES[k] for k in DECOY_FORMS], rng)

    n = recipe.height
    pii_full = _scatter(n, pii_rows, sentences)
    decoy_full = _scatter(n, decoy_rows, dsentences)
    at_start = recipe["pii_at_start"]
    answer = pl.DataFrame({"a": answer, "p": pii_full, "d": decoy_full, "s": at_start}).select(
        pl.when(pl.col("p").is_null())
        .then(pl.col("a"))
        .when(pl.col("s") | (pl.col("a") == ""))
        .then(pl.concat_str("p", "a", separator=" ").str.strip_chars_end())
        .otherwise(pl.concat_str("a", "p", separator=" "))
        .alias("a")
    )["a"]
    answer = pl.DataFrame({"a": answer, "d": decoy_full}).select(
        pl.when(pl.col("d").is_null())
        .then(pl.col("a"))
        .otherwise(pl.concat_str("a", "d", separator=" ").str.strip_chars_start())
    )["a"]

    teacher_ids = inst.teachers["person_id"]
    course_index = np.array(
        [[c.course_id for c in table.courses].index(cid) for cid in table.course_ids]
    )[q]
    graded = recipe["grade"].is_not_null().to_numpy()
    records = recipe.select("row", "ts_format", "extra").with_columns(
        submission_id=recipe.select(sid.alias("s"))["s"],
        student_id=students["student_id"],
        course_id=_pick(table.course_ids, q),
        assignment_id=_pick(table.assignment_ids, q),
        question_id=_pick(table.question_ids, q),
        question_text=_pick(table.question_texts, q),
        answer_text=answer,
        submitted_at=pl.Series(recipe["submitted_us"].to_numpy())
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC"),
        grade=recipe["grade"],
        max_grade=recipe.select(
            pl.when(pl.col("max_grade_absent")).then(None).otherwise(pl.col("max_grade")).alias("m")
        )["m"],
        grader_id=_pick(
            teacher_ids.to_list(),
            np.where(
                recipe["has_grader"].to_numpy() & graded, course_index % teacher_ids.len(), -1
            ),
        ),
        feedback=feedback,
        reference_answer=_pick(table.reference_answers, q),
        language=_pick(course_langs, np.where(recipe["declared_language"].to_numpy(), q, -1)),
    )
    subs = records["submission_id"]
    pii = pl.DataFrame(
        {
            "row": recipe["row"].gather(pii_rows),
            "submission_id": subs.gather(pii_rows),
            "field": pl.Series(["answer_text"] * len(pii_rows), dtype=pl.String),
            "entity_type": pl.Series([PII_FORMS[f][0] for f in form.tolist()], dtype=pl.String),
            "value": values,
        }
    )
    named_rows = np.flatnonzero(named)
    pii_feedback = pl.DataFrame(
        {
            "row": recipe["row"].gather(named_rows),
            "submission_id": subs.gather(named_rows),
            "field": pl.Series(["feedback"] * len(named_rows), dtype=pl.String),
            "entity_type": pl.Series(["PERSON"] * len(named_rows), dtype=pl.String),
            "value": fb_name.gather(named_rows),
        }
    )
    decoys = pl.DataFrame(
        {
            "row": recipe["row"].gather(decoy_rows),
            "submission_id": subs.gather(decoy_rows),
            "field": pl.Series(["answer_text"] * len(decoy_rows), dtype=pl.String),
            "decoy_type": pl.Series([DECOY_FORMS[f] for f in dform.tolist()], dtype=pl.String),
            "value": dvalues,
        }
    )
    return records, pl.concat([pii, pii_feedback]), decoys


def _scatter(n: int, rows: npt.NDArray[np.int64], values: pl.Series) -> pl.Series:
    """A length-n column with `values` at `rows`, null elsewhere."""
    out = np.full(n, len(values), dtype=np.int64)
    out[rows] = np.arange(len(rows))
    return pl.concat([values, pl.Series([None], dtype=pl.String)]).gather(out)
