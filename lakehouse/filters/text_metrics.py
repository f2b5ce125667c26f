"""Text-metric (heuristic) filtering: Gopher quality, C4 and FineWeb-style rules, vectorised.

Rules are written from the published definitions (Gopher: Rae et al. 2021, appendix A; C4: Raffel
et al. 2020, section 2.2; FineWeb: Penedo et al. 2024, its custom filters). `published()` gives the
thresholds as published; the defaults adapt them to homework: answers are short (a floor of 5 words,
one sentence, line-based rules only for answers with several lines) and written in Indian scripts
(Unicode-aware words, per-language stop words, danda as sentence end). Set a threshold to None to
switch its rule off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN, document_language, pass_column
from lakehouse.filters.stop_words import stop_word_table
from lakehouse.filters.text_units import (
    ALPHA_PATTERN,
    SENTENCE_END_PATTERN,
    TERMINAL_PUNCTUATION,
    lines,
    words,
)

BULLET_PATTERN = r"^[•\-*‣◦⁃●▪–·]"
ELLIPSIS_END_PATTERN = r"(\.\.\.|…)$"
POLICY_PHRASES = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)


@dataclass(frozen=True)
class TextMetricParams:
    # Gopher quality
    min_doc_words: int | None = 5
    """Gopher: 50. Homework answers are often one or two sentences."""
    max_doc_words: int | None = 100_000
    min_avg_word_length: float | None = 3
    """Characters per word, combining marks included (Hindi averages ~4, Tamil ~8 on FLORES)."""
    max_avg_word_length: float | None = 10
    max_avg_word_length_by_language: tuple[tuple[str, float], ...] = (
        ("ta", 14.0),
        ("ml", 14.0),
        ("kn", 13.0),
        ("te", 12.0),
    )
    """Agglutinative Dravidian languages write long words (Tamil averages ~8 characters with marks
    on FLORES, single sentences reach 11)."""
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_lines_ratio: float | None = 0.9
    max_ellipsis_lines_ratio: float | None = 0.3
    min_alpha_words_ratio: float | None = 0.8
    min_stop_words: int | None = 1
    """Gopher: 2 of (the, be, to, of, and, that, have, with); per-language lists here. Documents in a
    language without a list are not judged on this rule."""
    stop_words_min_doc_words: int = 30
    """Judge the stop-word rule only from this many words: in Kannada, Tamil, Telugu and Malayalam
    function words are mostly suffixes, so one short sentence often has none (Gopher: 0)."""
    # C4
    c4_min_sentences: int | None = 1
    """C4: 5 sentences after dropping lines without terminal punctuation or with < 3 words."""
    c4_min_words_per_line: int = 3
    c4_max_word_length: int | None = 1000
    c4_lorem_ipsum: bool = True
    c4_curly_bracket: bool = False
    """C4 drops pages with '{'; homework holds code and set notation, so off by default."""
    c4_javascript_and_policy_lines: bool = True
    # FineWeb
    fineweb_min_lines: int = 3
    """FineWeb's line rules are judged only on answers with at least this many lines (web pages
    have many lines; a one-line answer is always "100% short lines")."""
    fineweb_min_line_punct_ratio: float | None = 0.12
    fineweb_max_short_line_ratio: float | None = 0.67
    fineweb_short_line_length: int = 30
    fineweb_max_char_dup_ratio: float | None = 0.01
    fineweb_max_newline_ratio: float | None = 0.3

    @classmethod
    def published(cls) -> TextMetricParams:
        """Thresholds as published for web text (what DataTrove's filters default to)."""
        return replace(
            cls(),
            min_doc_words=50,
            min_stop_words=2,
            stop_words_min_doc_words=0,
            max_avg_word_length_by_language=(),
            c4_min_sentences=5,
            c4_curly_bracket=True,
            fineweb_min_lines=1,
        )


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return num.cast(pl.Float64) / den.cast(pl.Float64).clip(lower_bound=1)


@dataclass(frozen=True)
class TextMetricsStep:
    """Columns `text_metrics_*` (counts and ratios), `text_metrics_failed` (rule names),
    `text_metrics_{gopher,c4,fineweb}_pass` and `text_metrics_pass` (all three)."""

    params: TextMetricParams = TextMetricParams()
    name: str = "text_metrics"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        p = self.params
        n = self.name
        text = pl.col(TEXT_COLUMN).fill_null("")
        stops = stop_word_table()
        frame = frame.with_row_index("_row")
        # Stop words: one join of exploded words against (language, word).
        lang = document_language(frame)
        exploded = frame.select("_row", _lang=lang, _word=words(text)).explode("_word")
        stop_hits = (
            exploded.join(stops, left_on=["_lang", "_word"], right_on=["language", "word"])
            .group_by("_row")
            .len(name="_stop")
        )
        has_list = pl.Series(stops["language"].unique())
        ls = lines(text)
        out = frame.with_columns(
            _words=words(text), _tokens=text.str.extract_all(r"\S+"), _lines=ls, _lang=lang
        ).join(stop_hits, on="_row", how="left")
        w = pl.col("_words")
        t = pl.col("_tokens")
        line = pl.col("_lines")
        n_lines = line.list.len()
        c4_line_ok = pl.element().str.contains(TERMINAL_PUNCTUATION) & (
            pl.element().str.count_matches(r"\S+") >= p.c4_min_words_per_line
        )
        if p.c4_javascript_and_policy_lines:
            lowered = pl.element().str.to_lowercase()
            c4_line_ok = c4_line_ok & ~lowered.str.contains("javascript", literal=True)
            for phrase in POLICY_PHRASES:
                c4_line_ok = c4_line_ok & ~lowered.str.contains(phrase, literal=True)
        out = out.with_columns(
            **{
                f"{n}_words": w.list.len(),
                f"{n}_avg_word_length": w.list.eval(pl.element().str.len_chars()).list.mean(),
                f"{n}_symbol_word_ratio": _ratio(
                    text.str.count_matches("#", literal=True)
                    + text.str.count_matches("...", literal=True)
                    + text.str.count_matches("…", literal=True),
                    t.list.len(),
                ),
                f"{n}_bullet_lines_ratio": _ratio(
                    line.list.eval(pl.element().str.contains(BULLET_PATTERN)).list.sum(), n_lines
                ),
                f"{n}_ellipsis_lines_ratio": _ratio(
                    line.list.eval(pl.element().str.contains(ELLIPSIS_END_PATTERN)).list.sum(),
                    n_lines,
                ),
                f"{n}_alpha_words_ratio": _ratio(
                    t.list.eval(pl.element().str.contains(ALPHA_PATTERN)).list.sum(), t.list.len()
                ),
                f"{n}_stop_words": pl.col("_stop").fill_null(0).cast(pl.Int64),
                f"{n}_stop_words_judged": pl.col("_lang").is_in(has_list).fill_null(False),
                f"{n}_c4_sentences": line.list.eval(
                    pl.when(c4_line_ok)
                    .then(pl.element().str.count_matches(SENTENCE_END_PATTERN))
                    .otherwise(0)
                ).list.sum(),
                f"{n}_max_word_length": t.list.eval(pl.element().str.len_chars()).list.max(),
                f"{n}_lorem_ipsum": text.str.to_lowercase().str.contains(
                    "lorem ipsum", literal=True
                ),
                f"{n}_curly_bracket": text.str.contains("{", literal=True),
                f"{n}_lines": n_lines,
                f"{n}_line_punct_ratio": _ratio(
                    line.list.eval(pl.element().str.contains(TERMINAL_PUNCTUATION)).list.sum(),
                    n_lines,
                ),
                f"{n}_short_line_ratio": _ratio(
                    line.list.eval(
                        pl.element().str.len_chars() <= p.fineweb_short_line_length
                    ).list.sum(),
                    n_lines,
                ),
                f"{n}_char_dup_ratio": _ratio(
                    line.list.eval(pl.element().str.len_chars()).list.sum()
                    - line.list.unique().list.eval(pl.element().str.len_chars()).list.sum(),
                    text.str.replace_all("\n", "", literal=True).str.len_chars(),
                ),
                f"{n}_newline_ratio": _ratio(
                    text.str.count_matches("\n", literal=True), w.list.len()
                ),
            }
        )
        c = {
            k: pl.col(f"{n}_{k}")
            for k in (
                "words",
                "avg_word_length",
                "symbol_word_ratio",
                "bullet_lines_ratio",
                "ellipsis_lines_ratio",
                "alpha_words_ratio",
                "stop_words",
                "stop_words_judged",
                "c4_sentences",
                "max_word_length",
                "lorem_ipsum",
                "curly_bracket",
                "lines",
                "line_punct_ratio",
                "short_line_ratio",
                "char_dup_ratio",
                "newline_ratio",
            )
        }
        gopher: dict[str, pl.Expr | None] = {
            "gopher_min_words": None if p.min_doc_words is None else c["words"] >= p.min_doc_words,
            "gopher_max_words": None if p.max_doc_words is None else c["words"] <= p.max_doc_words,
            "gopher_min_avg_word_length": None
            if p.min_avg_word_length is None
            else c["avg_word_length"].fill_null(0) >= p.min_avg_word_length,
            "gopher_max_avg_word_length": None
            if p.max_avg_word_length is None
            else c["avg_word_length"].fill_null(0)
            <= pl.col("_lang").replace_strict(
                dict(p.max_avg_word_length_by_language),
                default=p.max_avg_word_length,
                return_dtype=pl.Float64,
            ),
            "gopher_symbol_ratio": None
            if p.max_symbol_word_ratio is None
            else c["symbol_word_ratio"] <= p.max_symbol_word_ratio,
            "gopher_bullet_lines": None
            if p.max_bullet_lines_ratio is None
            else c["bullet_lines_ratio"] <= p.max_bullet_lines_ratio,
            "gopher_ellipsis_lines": None
            if p.max_ellipsis_lines_ratio is None
            else c["ellipsis_lines_ratio"] <= p.max_ellipsis_lines_ratio,
            "gopher_alpha_words": None
            if p.min_alpha_words_ratio is None
            else c["alpha_words_ratio"] >= p.min_alpha_words_ratio,
            "gopher_stop_words": None
            if p.min_stop_words is None
            else ~c["stop_words_judged"]
            | (c["words"] < p.stop_words_min_doc_words)
            | (c["stop_words"] >= p.min_stop_words),
        }
        c4: dict[str, pl.Expr | None] = {
            "c4_min_sentences": None
            if p.c4_min_sentences is None
            else c["c4_sentences"] >= p.c4_min_sentences,
            "c4_max_word_length": None
            if p.c4_max_word_length is None
            else c["max_word_length"].fill_null(0) <= p.c4_max_word_length,
            "c4_lorem_ipsum": ~c["lorem_ipsum"] if p.c4_lorem_ipsum else None,
            "c4_curly_bracket": ~c["curly_bracket"] if p.c4_curly_bracket else None,
        }
        many_lines = c["lines"] >= p.fineweb_min_lines
        fineweb: dict[str, pl.Expr | None] = {
            "fineweb_line_punct": None
            if p.fineweb_min_line_punct_ratio is None
            else ~many_lines | (c["line_punct_ratio"] >= p.fineweb_min_line_punct_ratio),
            "fineweb_short_lines": None
            if p.fineweb_max_short_line_ratio is None
            else ~many_lines | (c["short_line_ratio"] <= p.fineweb_max_short_line_ratio),
            "fineweb_char_dup": None
            if p.fineweb_max_char_dup_ratio is None
            else ~many_lines | (c["char_dup_ratio"] <= p.fineweb_max_char_dup_ratio),
            "fineweb_newline_ratio": None
            if p.fineweb_max_newline_ratio is None
            else c["newline_ratio"] <= p.fineweb_max_newline_ratio,
        }
        families = {"gopher": gopher, "c4": c4, "fineweb": fineweb}
        failed = [
            pl.when(~rule).then(pl.lit(rule_name))
            for rules in families.values()
            for rule_name, rule in rules.items()
            if rule is not None
        ]
        family_pass = {
            f"{n}_{family}_pass": pl.all_horizontal(
                [r for r in rules.values() if r is not None] or [pl.lit(True)]
            )
            for family, rules in families.items()
        }
        out = out.with_columns(
            **family_pass,
            **{f"{n}_failed": pl.concat_list(failed).list.drop_nulls() if failed else pl.lit([])},
        )
        return out.with_columns(
            pl.all_horizontal(list(map(pl.col, family_pass))).alias(pass_column(n))
        ).drop("_row", "_words", "_tokens", "_lines", "_lang", "_stop")
