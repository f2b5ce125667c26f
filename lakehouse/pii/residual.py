"""Residual-PII scan: what a scrubbed frame still holds, counted per entity type.

Run after `scrub_frame`; the asset turns the counts into partition metadata. Identifiers are found
by `lakehouse.pii.detect` with the very finders the scrubber's recognisers use (and the silver gate
blocks on), so a residual count is text the scrubber did not see, never a disagreement about what an
identifier is. Roster names are found by the same Aho-Corasick search as in scrubbing (global
variants; an author's bare first name is not counted, it is not a hit on its own outside the
author's work). Placeholders (`<PHONE>`, ...) never match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.pii import patterns as p
from lakehouse.pii.config import DEFAULT_TEXT_COLUMNS
from lakehouse.pii.detect import hits_column, identifier_hits
from lakehouse.pii.identifiers import IDENTIFIERS
from lakehouse.pii.roster import Roster, padded_expr

RESIDUAL_TYPES: Final[tuple[str, ...]] = (*(i.entity for i in IDENTIFIERS), p.PERSON)


@dataclass(frozen=True, slots=True)
class ResidualReport:
    """Hits left per entity type (every type of `RESIDUAL_TYPES`), and cells with any hit."""

    counts: dict[str, int]
    cells_with_hits: int
    cells: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def residual_scan(
    frame: pl.DataFrame,
    *,
    text_columns: Sequence[str] = DEFAULT_TEXT_COLUMNS,
    roster: Roster | None = None,
) -> ResidualReport:
    """Count identifiers left in `text_columns` of a scrubbed `frame`."""
    columns = [c for c in dict.fromkeys(text_columns) if c in frame.columns]
    counts = dict.fromkeys(RESIDUAL_TYPES, 0)
    if not columns or frame.is_empty():
        return ResidualReport(counts, 0, 0)
    needles = [f" {v} " for v in roster.global_variants()] if roster is not None else []
    cells_with_hits = non_empty = 0
    for column in columns:
        hits = identifier_hits(frame, columns=[column])
        for identifier in IDENTIFIERS:
            counts[identifier.entity] += int(hits.get_column(hits_column(identifier.entity)).sum())
        per_cell = hits.select(pl.sum_horizontal(hits.columns)).to_series()
        if needles:
            text = pl.col(column).cast(pl.String).fill_null("")
            names_found = frame.select(
                padded_expr(text).str.extract_many(needles).list.len().cast(pl.Int64)
            ).to_series()
            counts[p.PERSON] += int(names_found.sum())
            per_cell = per_cell + names_found
        cells_with_hits += int((per_cell > 0).sum())
        non_empty += int(
            frame.select((pl.col(column).cast(pl.String).str.len_bytes() > 0).sum()).item() or 0
        )
    return ResidualReport(counts=counts, cells_with_hits=cells_with_hits, cells=non_empty)
