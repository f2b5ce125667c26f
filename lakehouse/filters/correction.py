"""Rule-based correction: NFC, whitespace, cheap and safe mojibake repair, stray HTML markup.

This step rewrites `answer_text` for the steps after it; the text before correction is kept in
`answer_text_original` (null when nothing changed) and `correction_changes` lists what changed.
Scrubber placeholders such as `<PERSON>` or `<PHONE>` are not HTML and are left alone: only
known HTML tag names are removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN, pass_column

HTML_TAG_PATTERN = (
    r"(?i)</?(?:p|br|div|span|b|i|u|em|strong|ul|ol|li|table|thead|tbody|tr|td|th|h[1-6]|font|a|"
    r"img|sup|sub|pre|code|blockquote|hr|center|small|big|tt|s|strike|del|ins|mark)"
    r"(?:\s[^<>]*)?/?>"
)
HTML_ENTITIES = {
    "&nbsp;": " ",
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&#39;": "'",
    "&apos;": "'",
}
# UTF-8 read as Windows-1252: the common punctuation and Latin-1 letters. Indic mojibake
# (à¤... sequences) is repaired by re-decoding, below.
MOJIBAKE_TABLE = {
    "â€™": "’",
    "â€˜": "‘",
    "â€œ": "“",
    "â€\x9d": "”",
    "â€“": "–",
    "â€”": "—",
    "â€¦": "…",
    "â€¢": "•",
    "Ã©": "é",
    "Ã¨": "è",
    "Ã¡": "á",
    "Ã¼": "ü",
    "Ã¶": "ö",
    "Ã¤": "ä",
    "Ã±": "ñ",
    "Ã§": "ç",
    "Â ": " ",
    "Â°": "°",
    "Â£": "£",
}
INDIC_MOJIBAKE_PATTERN = r"[àáØÙ][\x80-\xBF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u02C6\u02DC\u2013-\u203A\u20AC\u2122]"


def _redecode(text: str) -> str:
    """Undo UTF-8 decoded as cp1252/latin-1, only when the bytes decode strictly as UTF-8."""
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


@dataclass(frozen=True)
class CorrectionParams:
    normalize_nfc: bool = True
    fix_whitespace: bool = True
    fix_mojibake: bool = True
    strip_html: bool = True


@dataclass(frozen=True)
class CorrectionStep:
    """Always passes. Columns `correction_changes` (list of "nfc", "whitespace", "mojibake",
    "html"), `answer_text_original`, `correction_pass`."""

    params: CorrectionParams = CorrectionParams()
    name: str = "correction"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        p = self.params
        text = pl.col(TEXT_COLUMN)
        stages: list[tuple[str, pl.Expr]] = []
        if p.normalize_nfc:
            stages.append(("nfc", text.str.normalize("NFC")))
        if p.fix_mojibake:
            stages.append(("mojibake", text.str.replace_many(MOJIBAKE_TABLE)))
        if p.strip_html:
            stages.append(
                (
                    "html",
                    text.str.replace_all(HTML_TAG_PATTERN, " ").str.replace_many(HTML_ENTITIES),
                )
            )
        if p.fix_whitespace:
            stages.append(
                (
                    "whitespace",
                    text.str.replace_all(r"[\t\f\v\u00a0\u200b ]+", " ")
                    .str.replace_all(r"\r\n?", "\n")
                    .str.replace_all(r" *\n *", "\n")
                    .str.replace_all(r"\n{3,}", "\n\n")
                    .str.strip_chars(),
                )
            )
        out = frame.with_columns(answer_text_original=text, _changes=pl.lit([], pl.List(pl.String)))
        for label, expr in stages:
            before = pl.col("_before")
            out = out.with_columns(_before=text).with_columns(expr.alias(TEXT_COLUMN))
            if label == "mojibake":
                out = self._redecode_indic(out)
            out = out.with_columns(
                _changes=pl.when(text != before)
                .then(pl.col("_changes").list.concat(pl.lit([label])))
                .otherwise(pl.col("_changes"))
            )
        return out.with_columns(
            correction_changes=pl.col("_changes"),
            answer_text_original=pl.when(pl.col("_changes").list.len() > 0).then(
                pl.col("answer_text_original")
            ),
            **{pass_column(self.name): pl.lit(True)},
        ).drop("_changes", "_before")

    @staticmethod
    def _redecode_indic(frame: pl.DataFrame) -> pl.DataFrame:
        """Re-decode only the (rare) rows that look like Indic mojibake: a per-row Python call on
        that subset, since there is no columnar byte re-decoding in polars."""
        text = pl.col(TEXT_COLUMN)
        suspect = text.str.count_matches(INDIC_MOJIBAKE_PATTERN).fill_null(0) >= 3
        if not frame.select(suspect.any()).item():
            return frame
        return frame.with_columns(
            pl.when(suspect)
            .then(text.map_elements(_redecode, return_dtype=pl.String))
            .otherwise(text)
            .alias(TEXT_COLUMN)
        )
