"""Safety filtering: a configurable blocklist, word-boundary aware in every script.

Matching is done on the Unicode words of the text (letters + combining marks), so `class` does
not match `ass` and a Devanagari term is matched whole, with its vowel signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN, pass_column
from lakehouse.filters.text_units import words

DEFAULT_BLOCKLIST: Final[frozenset[str]] = frozenset(
    # A small default: English profanity/slurs, and Hindi abuse in Devanagari and romanised.
    # Institutions extend it through SafetyParams.blocklist.
    [
        "fuck",
        "fucking",
        "fucker",
        "motherfucker",
        "shit",
        "bitch",
        "bastard",
        "asshole",
        "cunt",
        "dickhead",
        "whore",
        "slut",
        "nigger",
        "faggot",
        "retard",
        "chutiya",
        "chutiye",
        "madarchod",
        "madarchod",
        "behenchod",
        "bhenchod",
        "benchod",
        "bhosdike",
        "bhosdi",
        "gandu",
        "randi",
        "harami",
        "kutiya",
        "lund",
        "चूतिया",
        "मादरचोद",
        "बहनचोद",
        "भोसड़ीके",
        "गांडू",
        "रंडी",
        "हरामी",
        "कुतिया",
        "लंड",
    ]
)


@dataclass(frozen=True)
class SafetyParams:
    blocklist: frozenset[str] = DEFAULT_BLOCKLIST
    """Lower-case single words (any script)."""
    max_hits: int = 0


@dataclass(frozen=True)
class SafetyStep:
    """Columns `safety_terms` (blocked words found), `safety_hits`, `safety_pass`."""

    params: SafetyParams = SafetyParams()
    name: str = "safety"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        blocked = pl.Series(sorted(self.params.blocklist), dtype=pl.String)
        found = words(pl.col(TEXT_COLUMN).fill_null("")).list.filter(pl.element().is_in(blocked))
        return (
            frame.with_columns(safety_terms=found.list.unique(maintain_order=True))
            .with_columns(
                safety_hits=found.list.len(),
            )
            .with_columns(
                (pl.col("safety_hits") <= self.params.max_hits).alias(pass_column(self.name))
            )
        )
