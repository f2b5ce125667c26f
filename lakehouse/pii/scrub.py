"""Scrub the free-text columns of a frame: typed placeholders instead of personal data.

How the work is split, for throughput:

1. Columnar, in polars (Rust): the text cells of all columns become one long frame of distinct
   (text, author) documents, so a question or reference answer shared by a class is analysed once.
2. A pre-filter proves most documents hold nothing: one Rust regex, the union of every
   identifier's `candidates` (`identifiers.prefilter_regex`; an identifier is never found in a
   document its candidates miss), and one Aho-Corasick pass (`str.extract_many`) over normalised
   text for every roster-name variant and every name part; a name part counts only in its
   author's own documents. Only the documents with a hit go on (all of them under NER).
3. Presidio, batched: spaCy `pipe` makes the NLP artifacts of the remaining documents, the analyzer
   runs the registry plus, per document, a small roster recogniser for exactly the variants found
   in it, and the anonymizer writes the placeholders (`lakehouse.pii.presidio_pass`); off-roster
   names follow in answers and feedback (`lakehouse.pii.scrub_names`).
4. Columnar again: results are joined back to every cell and pivoted to the original columns.

A student's name is `<PERSON>` wherever it stands, so the student's answer and the grader's
feedback on it carry the same placeholder; author-scoped columns (`answer_text`, `feedback`) also
lose the author's bare first name or surname.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from lakehouse.pii import patterns as p
from lakehouse.pii.config import DEFAULT_CONFIG, DEFAULT_TEXT_COLUMNS, PiiConfig
from lakehouse.pii.engine import PiiEngine, get_engine
from lakehouse.pii.identifiers import (
    IDENTIFIERS,
    prefilter_regex,
    roll_number_identifier,
)
from lakehouse.pii.presidio_pass import analyze_and_anonymize
from lakehouse.pii.roster import Roster, padded_expr
from lakehouse.pii.scrub_names import scrub_names, use_name_finder

logger = logging.getLogger(__name__)

_NO_AUTHOR = ""


@dataclass(frozen=True, slots=True)
class ScrubResult:
    """The scrubbed frame and what was replaced.

    Attributes:
        frame: the input frame, same columns, order and rows, text columns scrubbed.
        counts: replacements per entity type (every type of `patterns.ENTITY_TYPES`, 0 if none),
            counted per cell: a question shared by 30 rows counts 30 times.
        documents: non-empty text cells looked at.
        distinct_documents: distinct (text, author) documents after de-duplication.
        analyzed: distinct documents that the pre-filter sent to Presidio.
        nlp_engine: which NLP engine ran (for the asset's metadata).
        kept_names: person names found in answers or feedback but kept, because the row's
            question or reference answer mentions them (the people the homework is about).
    """

    frame: pl.DataFrame
    counts: dict[str, int]
    documents: int
    distinct_documents: int
    analyzed: int
    nlp_engine: str
    kept_names: int = 0


def _long_documents(
    frame: pl.DataFrame,
    columns: Sequence[str],
    author_column: str | None,
    author_scoped: Sequence[str],
) -> pl.DataFrame:
    parts = []
    for column in columns:
        author = (
            pl.col(author_column).cast(pl.String).fill_null(_NO_AUTHOR)
            if author_column is not None and column in author_scoped
            else pl.lit(_NO_AUTHOR, pl.String)
        )
        parts.append(
            frame.select(
                pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
                pl.lit(column).alias("_col"),
                pl.col(column).cast(pl.String).alias("_text"),
                author.alias("_author"),
            )
        )
    long = pl.concat(parts, how="vertical")
    return long.filter(pl.col("_text").is_not_null() & (pl.col("_text").str.len_bytes() > 0))


def roster_hits(docs: pl.DataFrame, *, roster: Roster, authors: bool) -> pl.DataFrame:
    """`_doc -> _names`: the normalised roster variants found in each document (columns `_doc`,
    `_text`, `_author`), name parts only where the document's author is that person."""
    variants = roster.variants if authors else roster.variants.filter(pl.col("is_global"))
    schema = {"_doc": pl.UInt32(), "_names": pl.List(pl.String())}
    if variants.is_empty() or docs.is_empty():
        return pl.DataFrame(schema=schema)
    table = variants.with_columns(pl.concat_str(pl.lit(" "), "variant", pl.lit(" ")))
    needles = table.get_column("variant").unique().sort().to_list()
    found = (
        docs.select(
            "_doc",
            "_author",
            padded_expr(pl.col("_text")).str.extract_many(needles, overlapping=True).alias("_hit"),
        )
        .filter(pl.col("_hit").list.len() > 0)
        .explode("_hit")
        .unique()
    )
    return (
        found.join(table, left_on="_hit", right_on="variant", how="inner")
        .filter(pl.col("is_global") | (pl.col("person_id") == pl.col("_author")))
        .group_by("_doc")
        .agg(pl.col("_hit").str.strip_chars(" ").unique().sort().alias("_names"))
        .select(pl.col("_doc").cast(pl.UInt32), "_names")
    )


def _back_to_frame(
    frame: pl.DataFrame, cells: pl.DataFrame, columns: Sequence[str], entity_column: str | None
) -> pl.DataFrame:
    """The scrubbed cells pivoted back to `frame`'s columns, rows and order; with `entity_column`,
    the entity types replaced in each row as a list column."""
    wide = cells.pivot(on="_col", index="_row", values="_scrubbed").rename(
        {c: f"__scrubbed_{c}" for c in columns if c in cells.get_column("_col").unique()}
    )
    out = frame.with_row_index("_row").join(wide, on="_row", how="left", maintain_order="left")
    out = out.with_columns(
        pl.coalesce(f"__scrubbed_{c}", pl.col(c).cast(pl.String)).alias(c)
        for c in columns
        if f"__scrubbed_{c}" in out.columns
    ).select(frame.columns)
    if entity_column is not None:
        per_row = cells.group_by("_row").agg(
            pl.col("_entities").explode().drop_nulls().alias(entity_column)
        )
        out = (
            out.with_row_index("_row")
            .join(per_row, on="_row", how="left", maintain_order="left")
            .with_columns(pl.col(entity_column).fill_null(pl.lit([], pl.List(pl.String))))
            .drop("_row")
        )
    return out


def scrub_frame(
    frame: pl.DataFrame,
    *,
    text_columns: Sequence[str] = DEFAULT_TEXT_COLUMNS,
    roster: Roster | None = None,
    author_column: str | None = "student_id",
    config: PiiConfig = DEFAULT_CONFIG,
    engine: PiiEngine | None = None,
    entity_column: str | None = None,
) -> ScrubResult:
    """Replace personal data in `text_columns` of `frame` by typed placeholders.

    Run it before ids are pseudonymised: `author_column` is matched against the roster's
    raw `person_id`.

    Args:
        frame: rows of any schema; absent text columns are skipped, nulls stay null.
        text_columns: the free-text columns to scrub.
        roster: the institution's people; without it PERSON comes from NER only (if enabled).
        author_column: the column whose value is the roster `person_id` of the row's author
            (whose bare first name / surname is scrubbed in `config.author_scoped_columns`);
            None or an absent column disables that.
        config: recogniser settings, including the institution's roll-number formats.
        engine: a built engine (Ray actors pass theirs); default: the process-wide one.
        entity_column: if given, the output frame gets this extra List[String] column: the entity
            types replaced in each row (so that counts can be summed across batches).
    """
    engine = engine or get_engine(config=config)
    columns = [c for c in dict.fromkeys(text_columns) if c in frame.columns]
    counts = dict.fromkeys(p.ENTITY_TYPES, 0)
    if not columns or frame.is_empty():
        if entity_column is not None:
            frame = frame.with_columns(pl.lit([], pl.List(pl.String)).alias(entity_column))
        return ScrubResult(frame, counts, 0, 0, 0, engine.nlp_engine_name)
    has_author = (
        config.author_name_tokens and author_column is not None and author_column in frame.columns
    )
    long = _long_documents(
        frame, columns, author_column if has_author else None, config.author_scoped_columns
    )
    docs = long.select("_text", "_author").unique().with_row_index("_doc")
    roster = roster or Roster.empty()
    hits = roster_hits(docs, roster=roster, authors=has_author)
    prefilter = prefilter_regex(config.roll_number_patterns)
    roll = roll_number_identifier(config.roll_number_patterns)
    identifiers = [*IDENTIFIERS, *([roll] if roll is not None else [])]
    docs = docs.join(hits, on="_doc", how="left").with_columns(
        (
            pl.lit(engine.ner)
            | pl.col("_names").is_not_null()
            | pl.col("_text").str.contains(prefilter)
        ).alias("_candidate")
    )
    todo = docs.filter("_candidate").with_columns(
        pl.concat_list(
            pl.when(pl.col("_text").str.contains(i.candidates)).then(pl.lit(i.entity))
            for i in identifiers
        )
        .list.drop_nulls()
        .alias("_hits")
    )
    texts, entities = analyze_and_anonymize(
        todo.get_column("_text").to_list(),
        todo.get_column("_names").to_list(),
        engine=engine,
        config=config,
        candidates=todo.get_column("_hits").to_list(),
    )
    done = todo.select(
        "_doc",
        pl.Series("_scrubbed", texts, dtype=pl.String),
        pl.Series("_entities", entities, dtype=pl.List(pl.String)),
    )
    cells = (
        long.join(docs.select("_text", "_author", "_doc"), on=["_text", "_author"], how="left")
        .join(done, on="_doc", how="left")
        .with_columns(pl.coalesce("_scrubbed", "_text").alias("_scrubbed"))
    )
    kept_names = 0
    if use_name_finder(config):
        cells, kept_names = scrub_names(cells, frame, config=config, identifiers=identifiers)
    found = (
        cells.select(pl.col("_entities").explode().drop_nulls())
        .get_column("_entities")
        .value_counts()
    )
    for entity, n in found.iter_rows():
        counts[entity] = counts.get(entity, 0) + int(n)
    out = _back_to_frame(frame, cells, columns, entity_column)
    logger.info(
        "scrubbed %d text cells (%d distinct, %d analysed) with %s: %s",
        long.height,
        docs.height,
        todo.height,
        engine.nlp_engine_name,
        {k: v for k, v in counts.items() if v},
    )
    return ScrubResult(
        frame=out,
        counts=counts,
        documents=long.height,
        distinct_documents=docs.height,
        analyzed=todo.height,
        nlp_engine=engine.nlp_engine_name,
        kept_names=kept_names,
    )
