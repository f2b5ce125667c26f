"""Roster names as search variants: what the scrubber looks for, for every person on `roster.csv`.

A name is searched in a *normalised* form: lower case, every run of characters that are not
letters, combining marks or digits turned into one space, padded with a space at both ends. In that
form a word boundary is a space, so one Aho-Corasick pass of polars (`str.extract_many`) over a
whole column finds every variant at word boundaries, in any case and with any spacing or
punctuation between the parts ("PRIYA  sharma", "Priya.Sharma", "Sharma, Priya" is a separate
variant). Inside a document, Presidio then locates the same variants with a regex of the same
semantics (`variant_regex`) to replace them.

Variants of a Latin-script name "Priya Kumari Sharma" (honorifics in the roster are dropped):
full name, first + surname ("priya sharma"), first + surname initial ("priya s"), first initial +
surname ("p sharma"), all initials + surname ("p k sharma"), surname + first ("sharma priya", as
registers list them), and honorific forms ("mr sharma", "sharma sir", "sharma ma am", "sharma ji").
A `name_devanagari` column, where the roster has it, adds the full Devanagari name and its
first + surname. These are global: they are searched in every document.

Author tokens (each part of a name on its own, at least `min_author_token_length` long) are
searched only in the author's own documents: a bare "Priya" is too common to remove everywhere,
but in Priya's own answer and in the feedback on it, it is her.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.contract import ROSTER_ROLES
from lakehouse.pii.trie import trie_regex

NON_WORD_RUN: Final = r"[^\p{L}\p{M}\p{N}]+"
"""Rust regex: what normalisation turns into one space."""

_INDIC: Final = "\u0900-\u0dff"
# Python `\w` lacks combining marks, which Indic scripts are full of: treat the Indic blocks as word
# characters explicitly so that a boundary never falls inside a Devanagari word.
_PY_WORD: Final = rf"(?:[^\W_]|[{_INDIC}])"
_PY_SEP: Final = rf"(?:[^\w{_INDIC}]|_)+"
_PY_START: Final = rf"(?<![^\W_])(?<![{_INDIC}])"
_PY_END: Final = rf"(?![^\W_])(?![{_INDIC}])"

HONORIFICS_BEFORE: Final[tuple[str, ...]] = (
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "shri",
    "sri",
    "smt",
    "kumari",
)
HONORIFICS_AFTER: Final[tuple[str, ...]] = ("sir", "madam", "ma am", "maam", "ji", "mam")

ROSTER_COLUMNS: Final[tuple[str, ...]] = ("person_id", "role", "full_name")
VARIANT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "variant": pl.String(),
    "person_id": pl.String(),
    "is_global": pl.Boolean(),
}


def normalise_expr(expr: pl.Expr) -> pl.Expr:
    """Lower case, non-word runs to one space, stripped: the form names are compared in."""
    return expr.str.to_lowercase().str.replace_all(NON_WORD_RUN, " ").str.strip_chars(" ")


def padded_expr(expr: pl.Expr) -> pl.Expr:
    """`normalise_expr`, padded with one space at both ends (word boundary = space)."""
    return pl.concat_str(pl.lit(" "), normalise_expr(expr), pl.lit(" "))


def _latin_variants(tokens: Sequence[str]) -> list[str]:
    if not tokens:
        return []
    if len(tokens) == 1:
        return [tokens[0]] if len(tokens[0]) >= 3 else []
    first, last = tokens[0], tokens[-1]
    initials = " ".join(t[0] for t in tokens[:-1])
    out = [
        " ".join(tokens),
        f"{first} {last}",
        f"{first} {last[0]}",
        f"{first[0]} {last}",
        f"{initials} {last}",
        f"{last} {first}",
    ]
    out.extend(f"{h} {last}" for h in HONORIFICS_BEFORE)
    out.extend(f"{last} {h}" for h in HONORIFICS_AFTER)
    # A variant made of initials and short parts only ("d s" of "D'Souza") would match anywhere.
    return [v for v in out if any(len(t) >= 3 for t in v.split())]


def _script_variants(tokens: Sequence[str]) -> list[str]:
    if len(tokens) <= 1:
        return list(tokens)
    return [" ".join(tokens), f"{tokens[0]} {tokens[-1]}"]


def _strip_honorifics(tokens: list[str]) -> list[str]:
    while len(tokens) > 1 and tokens[0] in HONORIFICS_BEFORE:
        tokens = tokens[1:]
    return tokens


@dataclass(frozen=True, slots=True)
class Roster:
    """An institution's people (`person_id, role, full_name[, name_devanagari]`) and their variants.

    Build it with `Roster.from_frame` or `load_roster`; it holds personal data, so it is never
    logged, and `repr` shows only the size.
    """

    people: pl.DataFrame
    variants: pl.DataFrame
    min_author_token_length: int = 3

    def __repr__(self) -> str:
        return f"Roster(people={self.people.height}, variants={self.variants.height})"

    @classmethod
    def empty(cls) -> Roster:
        people = pl.DataFrame(schema={c: pl.String() for c in ROSTER_COLUMNS})
        return cls(people=people, variants=pl.DataFrame(schema=VARIANT_SCHEMA))

    @classmethod
    def from_frame(cls, people: pl.DataFrame, *, min_author_token_length: int = 3) -> Roster:
        """Variants of every name in `people`; unknown roles and blank names are ignored."""
        missing = [c for c in ROSTER_COLUMNS if c not in people.columns]
        if missing:
            raise ValueError(f"roster lacks column(s): {', '.join(missing)}")
        cols = [*ROSTER_COLUMNS]
        if "name_devanagari" in people.columns:
            cols.append("name_devanagari")
        frame = (
            people.select(pl.col(c).cast(pl.String) for c in cols)
            .filter(pl.col("role").str.strip_chars().str.to_lowercase().is_in(ROSTER_ROLES))
            .filter(pl.col("full_name").str.strip_chars().str.len_chars() > 0)
        )
        norm = frame.select(
            "person_id",
            normalise_expr(pl.col("full_name")).alias("latin"),
            (
                normalise_expr(pl.col("name_devanagari"))
                if "name_devanagari" in frame.columns
                else pl.lit(None, pl.String)
            ).alias("native"),
        )
        rows: list[tuple[str, str, bool]] = []
        for person_id, latin, native in norm.iter_rows():
            tokens = _strip_honorifics((latin or "").split())
            native_tokens = (native or "").split()
            rows.extend((v, person_id, True) for v in _latin_variants(tokens))
            rows.extend((v, person_id, True) for v in _script_variants(native_tokens))
            rows.extend(
                (t, person_id, False)
                for t in {*tokens, *native_tokens}
                if len(t) >= min_author_token_length
            )
        variants = pl.DataFrame(rows, schema=VARIANT_SCHEMA, orient="row").unique()
        return cls(people=frame, variants=variants, min_author_token_length=min_author_token_length)

    def global_variants(self) -> list[str]:
        """Normalised variants searched in every document."""
        return sorted(
            self.variants.filter(pl.col("is_global")).get_column("variant").unique().to_list()
        )

    def author_tokens(self, person_id: str) -> list[str]:
        """Name parts searched alone in `person_id`'s own documents."""
        return sorted(
            self.variants.filter(~pl.col("is_global") & (pl.col("person_id") == person_id))
            .get_column("variant")
            .to_list()
        )


def load_roster(path: Path, *, min_author_token_length: int = 3) -> Roster:
    """Read `roster.csv` (every column as text) into a `Roster`."""
    people = pl.read_csv(path, infer_schema=False)
    return Roster.from_frame(people, min_author_token_length=min_author_token_length)


def _roster_char(ch: str) -> str:
    return _PY_SEP if ch == " " else re.escape(ch)


@lru_cache(maxsize=4096)
def variant_regex(variants: frozenset[str]) -> re.Pattern[str]:
    """A compiled, case-insensitive Python regex that finds any of the normalised `variants`
    in raw text with the same boundaries as the normalised Aho-Corasick search."""
    if not variants:
        raise ValueError("variant_regex needs at least one variant")
    return re.compile(
        _PY_START + "(?:" + trie_regex(variants, char=_roster_char) + ")" + _PY_END, re.IGNORECASE
    )
