"""Small embedded stop-word lists per language (frequent function words).

Gopher requires at least two of eight English function words so that a document reads as prose.
The same idea works for Indian languages with their own function words (postpositions, copulas,
conjunctions). Lists are deliberately short: they only need to be present in running text.
"""

from __future__ import annotations

from typing import Final

import polars as pl

STOP_WORDS: Final[dict[str, tuple[str, ...]]] = {
    # Gopher's list, as published.
    "en": ("the", "be", "to", "of", "and", "that", "have", "with"),
    "hi": ("का", "की", "के", "है", "हैं", "में", "से", "को", "और", "पर", "यह", "कि", "लिए", "था"),
    "mr": ("आणि", "आहे", "आहेत", "हे", "हा", "की", "या", "ते", "मध्ये", "होते", "किंवा", "त्या"),
    "bn": ("এবং", "একটি", "জন্য", "করে", "এই", "যে", "হয়", "থেকে", "এটি", "সাথে", "ও", "না"),
    "gu": ("છે", "અને", "કે", "માટે", "પર", "આ", "તે", "જે", "પણ", "એક", "હોય", "નો"),
    "pa": ("ਹੈ", "ਦੇ", "ਵਿੱਚ", "ਅਤੇ", "ਨੂੰ", "ਦੀ", "ਤੇ", "ਹਨ", "ਤੋਂ", "ਦਾ", "ਕਿ", "ਲਈ", "ਇਹ"),
    "kn": ("ಮತ್ತು", "ಎಂದು", "ಈ", "ಇದು", "ಅಥವಾ", "ಅವರು", "ಆ", "ಒಂದು", "ಹಾಗೂ", "ಇದೆ"),
    "ta": ("மற்றும்", "என்று", "இது", "அது", "ஒரு", "அல்லது", "இந்த", "என்பது", "உள்ள", "மேலும்"),
    "te": ("మరియు", "ఒక", "ఇది", "లో", "అని", "ఈ", "యొక్క", "ఉన్న", "కూడా", "ను"),
    "ml": ("ഒരു", "ഈ", "ഇത്", "എന്ന", "എന്നാൽ", "ആണ്", "ഉം", "അത്", "വളരെ", "കൂടാതെ"),
    "ur": ("کے", "ہے", "میں", "کی", "سے", "کو", "اور", "ہیں", "کا", "کہ", "پر", "یہ"),
    # Romanised Hindi: the same function words in Latin script (used for hi-Latn documents).
    "hi-Latn": ("hai", "hain", "ka", "ki", "ke", "ko", "se", "mein", "aur", "nahi", "bhi", "ye"),
}


def stop_word_table(*, stop_words: dict[str, tuple[str, ...]] | None = None) -> pl.DataFrame:
    """(language, word) rows, for a vectorised join against exploded words."""
    table = STOP_WORDS if stop_words is None else stop_words
    return pl.DataFrame(
        {
            "language": [lang for lang, ws in table.items() for _ in ws],
            "word": [w for ws in table.values() for w in ws],
        },
        schema={"language": pl.String, "word": pl.String},
    ).unique()
