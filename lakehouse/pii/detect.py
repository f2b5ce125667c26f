"""Identifier findings per row of a frame: the residual scan's and the silver gate's one pass.

Column-wise first: the union of the identifiers' `candidates` runs in polars (Rust) over a whole
column, and only the distinct texts it matches go to the identifiers' `find` (Python, the same
functions the scrubber's recognisers call). On scrubbed text almost no cell is a candidate, so the
Python part is small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from lakehouse.pii.identifiers import IDENTIFIERS, Identifier, Span, find_all
from lakehouse.pii.patterns import placeholder

HITS_PREFIX: Final = "pii_hits"
MASKED_PREFIX: Final = "masked"


def hits_column(entity: str) -> str:
    """The name of the per-row count of `entity` findings over all text columns."""
    return f"{HITS_PREFIX}:{entity}"


def masked_column(column: str) -> str:
    """The name of text column `column` with every identifier found replaced by its placeholder."""
    return f"{MASKED_PREFIX}:{column}"


def mask(text: str, found: Sequence[tuple[str, Span]]) -> str:
    """`text` with each finding replaced by its placeholder (overlapping findings become one)."""
    out: list[str] = []
    position = 0
    for entity, (start, end) in sorted(found, key=lambda item: item[1]):
        if start < position:
            position = max(position, end)
            continue
        out += [text[position:start], placeholder(entity)]
        position = end
    out.append(text[position:])
    return "".join(out)


def identifier_hits(
    frame: pl.DataFrame,
    *,
    columns: Sequence[str],
    identifiers: Sequence[Identifier] = IDENTIFIERS,
    masked: bool = False,
) -> pl.DataFrame:
    """Per row, one Int64 column per identifier (`hits_column(entity)`): its findings summed over
    `columns` (absent ones count 0); with `masked`, also `masked_column(c)` per present column: the
    text with every finding replaced by its placeholder. The frame's height is kept."""
    prefilter = "|".join(f"(?:{i.candidates})" for i in identifiers)
    totals = {i.entity: pl.Series(values=[0] * frame.height, dtype=pl.Int64) for i in identifiers}
    out: list[pl.Series] = []
    for column in columns:
        if column not in frame.columns:
            continue
        texts = frame.get_column(column).cast(pl.String)
        candidate = texts.fill_null("").str.contains(prefilter)
        distinct = texts.filter(candidate).unique().drop_nulls().to_list()
        found = {text: find_all(text, identifiers) for text in distinct}
        found = {text: spans for text, spans in found.items() if spans}
        for identifier in identifiers:
            per_text = {t: sum(e == identifier.entity for e, _ in f) for t, f in found.items()}
            per_text = {t: n for t, n in per_text.items() if n}
            if per_text:
                counts = texts.replace_strict(
                    list(per_text), list(per_text.values()), default=0, return_dtype=pl.Int64
                ).fill_null(0)
                totals[identifier.entity] = totals[identifier.entity] + counts
        if masked:
            replaced = {t: mask(t, f) for t, f in found.items()}
            out.append(
                (
                    texts.replace(list(replaced), list(replaced.values())) if replaced else texts
                ).alias(masked_column(column))
            )
    hits = [s.alias(hits_column(entity)) for entity, s in totals.items()]
    return pl.DataFrame([*hits, *out], height=frame.height)
