"""Unicode-aware text units (words, tokens, lines, paragraphs) as polars expressions.

Gopher/C4/FineWeb were written for English and split words on whitespace and ASCII letters.
Indian scripts write vowel signs and viramas as combining marks (Unicode category M), so a
"letter run" regex that ignores marks cuts हिन्दी into pieces. Here a word is a run of letters,
marks and digits (apostrophes inside allowed), which works the same for Latin, Devanagari,
Bengali, Gurmukhi, Gujarati, Kannada, Tamil, Telugu, Malayalam and Perso-Arabic (Urdu) text.
"""

from __future__ import annotations

from typing import Final

import polars as pl

WORD_PATTERN: Final[str] = r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*"
"""A word: letters, combining marks and digits; `don't` and `student’s` stay one word."""

ALPHA_PATTERN: Final[str] = r"\p{L}"
TERMINAL_PUNCTUATION: Final[str] = r"[.!?।॥؟۔\"'”’)\]:;]$"
"""Line-final punctuation, including the danda (।, ॥) and Urdu full stop / question mark."""

SENTENCE_END_PATTERN: Final[str] = r"[.!?।॥؟۔]+[\"'”’)\]]*(?:\s|$)"


def words(text: pl.Expr) -> pl.Expr:
    """Lower-cased words of `text` as a list column."""
    return text.str.to_lowercase().str.extract_all(WORD_PATTERN)


def tokens(text: pl.Expr) -> pl.Expr:
    """Whitespace-separated tokens (punctuation attached), as Gopher counts "words" for ratios."""
    return text.str.extract_all(r"\S+")


def lines(text: pl.Expr) -> pl.Expr:
    """Non-empty lines, stripped, as a list column."""
    return (
        text.str.split("\n")
        .list.eval(pl.element().str.strip_chars())
        .list.filter(pl.element().str.len_chars() > 0)
    )


def paragraphs(text: pl.Expr) -> pl.Expr:
    """Non-empty paragraphs (blocks separated by blank lines), stripped, as a list column."""
    return (
        text.str.split("\n\n")
        .list.eval(pl.element().str.strip_chars())
        .list.filter(pl.element().str.len_chars() > 0)
    )


def word_count(text: pl.Expr) -> pl.Expr:
    """Number of words without materialising them."""
    return text.str.count_matches(WORD_PATTERN).cast(pl.Int64)
