"""Residual-PII scan: what a scrubbed frame still holds, counted per entity type, vectorised.

Run after `scrub_frame`; the asset turns the counts into partition metadata and a blocking gate.
Candidates come from Rust regexes over whole columns; checksums and digit counts are then checked
column-wise (numpy Verhoeff / Luhn, polars digit-count rules), never one document at a time in
Python. Roster names are found by the same Aho-Corasick search as in scrubbing (global variants;
an author's bare first name is not counted, it is not a hit on its own outside the author's work).
Placeholders (`<PHONE>`, ...) never match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from lakehouse.pii import patterns as p
from lakehouse.pii.checksums import luhn_valid_array, verhoeff_valid_array
from lakehouse.pii.config import DEFAULT_TEXT_COLUMNS
from lakehouse.pii.roster import Roster, padded_expr

RESIDUAL_TYPES: Final[tuple[str, ...]] = (
    p.AADHAAR,
    p.PAN,
    p.PHONE,
    p.EMAIL,
    p.CREDIT_CARD,
    p.PERSON,
)
RS_CREDIT_CARD: Final = (
    r"\b(?:4\d{3}|5[0-5]\d{2}|6\d{3}|1\d{3}|3\d{3})[- ]?\d{3,4}[- ]?\d{3,4}[- ]?\d{3,5}\b"
)


@dataclass(frozen=True, slots=True)
class ResidualReport:
    """Hits left per entity type (every type of `RESIDUAL_TYPES`), and cells with any hit."""

    counts: dict[str, int]
    cells_with_hits: int
    cells: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _digits_matrix(values: list[str], width: int) -> np.ndarray:
    return (np.frombuffer("".join(values).encode("ascii"), dtype=np.uint8) - 48).reshape(
        len(values), width
    )


def _valid_aadhaar(matches: pl.DataFrame) -> pl.DataFrame:
    digits = matches.with_columns(pl.col("_m").str.replace_all(r"\D", "").alias("_d")).filter(
        pl.col("_d").str.len_bytes() == 12
    )
    if digits.is_empty():
        return digits.select("_cell")
    matrix = _digits_matrix(digits.get_column("_d").to_list(), 12)
    repeated = (matrix == matrix[:, :1]).all(axis=1)
    ok = verhoeff_valid_array(matrix) & ~repeated
    return digits.filter(pl.Series(ok)).select("_cell")


def _valid_card(matches: pl.DataFrame) -> pl.DataFrame:
    digits = matches.with_columns(pl.col("_m").str.replace_all(r"\D", "").alias("_d")).filter(
        pl.col("_d").str.len_bytes().is_between(13, 19)
    )
    kept = []
    for (width,), group in digits.group_by(pl.col("_d").str.len_bytes()):
        ok = luhn_valid_array(_digits_matrix(group.get_column("_d").to_list(), int(width)))
        kept.append(group.filter(pl.Series(ok)).select("_cell"))
    return pl.concat(kept) if kept else digits.select("_cell")


def _valid_phone(matches: pl.DataFrame) -> pl.DataFrame:
    m = pl.col("_m").str.strip_chars_start()
    d = m.str.replace_all(r"\D", "")
    national = d.str.strip_prefix("00").str.strip_prefix("91").str.strip_prefix("0")
    international = m.str.starts_with("+") | m.str.starts_with("00")
    ok = (
        pl.when(international)
        .then((national.str.len_bytes() == 10) & ~national.str.starts_with("0"))
        .when(d.str.starts_with("0"))
        .then(d.str.len_bytes() == 11)
        .otherwise((d.str.len_bytes() == 10) & d.str.contains(r"^[6-9]"))
    )
    return matches.filter(ok).select("_cell")


def _matches(cells: pl.DataFrame, pattern: str) -> pl.DataFrame:
    return (
        cells.select("_cell", pl.col("_text").str.extract_all(pattern).alias("_m"))
        .explode("_m")
        .drop_nulls("_m")
    )


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
    cells = (
        pl.concat([frame.select(pl.col(c).cast(pl.String).alias("_text")) for c in columns])
        .filter(pl.col("_text").is_not_null() & (pl.col("_text").str.len_bytes() > 0))
        .with_row_index("_cell")
    )
    hits: dict[str, pl.DataFrame] = {
        p.AADHAAR: _valid_aadhaar(_matches(cells, p.RS_AADHAAR)),
        p.PAN: _matches(cells, "(?i)" + p.RS_PAN).select("_cell"),
        p.PHONE: _valid_phone(_matches(cells, p.RS_PHONE)),
        p.EMAIL: _matches(cells, p.RS_EMAIL).select("_cell"),
        p.CREDIT_CARD: _valid_card(_matches(cells, RS_CREDIT_CARD)),
    }
    names = roster.global_variants() if roster is not None else []
    if names:
        needles = [f" {v} " for v in names]
        hits[p.PERSON] = (
            cells.select(
                "_cell", padded_expr(pl.col("_text")).str.extract_many(needles).alias("_m")
            )
            .explode("_m")
            .drop_nulls("_m")
            .select("_cell")
        )
    for entity, found in hits.items():
        counts[entity] = found.height
    with_hits = pl.concat([f.select(pl.col("_cell").cast(pl.UInt32)) for f in hits.values()])
    return ResidualReport(
        counts=counts,
        cells_with_hits=with_hits.get_column("_cell").n_unique(),
        cells=cells.height,
    )
