"""Unicode-aware words, lines and paragraphs: Indian-script words stay whole."""

import polars as pl

from lakehouse.filters.text_units import lines, paragraphs, tokens, word_count, words


def _one(expr: pl.Expr, text: str) -> list[str] | int:
    return pl.DataFrame({"t": [text]}).select(expr)["t"][0]


def test_words_keep_marks_and_apostrophes():
    assert _one(words(pl.col("t")), "हिन्दी में Don't stop, student’s 42!").to_list() == [
        "हिन्दी",
        "में",
        "don't",
        "stop",
        "student’s",
        "42",
    ]
    assert _one(word_count(pl.col("t")), "தமிழ் மொழி, two") == 3


def test_tokens_lines_and_paragraphs():
    text = "First line.\n\n  second  line \n\nthird"
    assert _one(tokens(pl.col("t")), "a, b!").to_list() == ["a,", "b!"]
    assert _one(lines(pl.col("t")), text).to_list() == ["First line.", "second  line", "third"]
    assert _one(paragraphs(pl.col("t")), text).to_list() == [
        "First line.",
        "second  line",
        "third",
    ]
