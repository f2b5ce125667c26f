"""Personal data and look-alike decoys, generated column-wise, with the sentences that carry them.

Every planted value is returned beside the sentence holding it, so the truth manifest records exactly
the substring a scrubber should find. Decoys look like identifiers but are not: 12-digit numbers
whose Verhoeff digit is wrong, years, numeric answers.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from lakehouse.pii.verhoeff import check_digits

PII_FORMS: Final[tuple[tuple[str, str], ...]] = (
    ("PERSON", "full"),
    ("PERSON", "initial"),
    ("PERSON", "lower"),
    ("PERSON", "upper"),
    ("PERSON", "devanagari"),
    ("PHONE_NUMBER", "intl"),
    ("PHONE_NUMBER", "landline"),
    ("PHONE_NUMBER", "mobile"),
    ("EMAIL_ADDRESS", "name"),
    ("EMAIL_ADDRESS", "roll"),
    ("IN_AADHAAR", "spaced"),
    ("IN_AADHAAR", "plain"),
    ("IN_PAN", "pan"),
    ("ROLL_NUMBER", "roll"),
)
"""(entity type, surface form); a planted row carries the index of one of these."""

DECOY_FORMS: Final[tuple[str, ...]] = (
    "invalid_aadhaar_plain",
    "invalid_aadhaar_spaced",
    "year",
    "number",
)

TEMPLATE_GROUP: Final[dict[str, str]] = {
    "en": "en",
    "hi-Latn": "hi-Latn",
    "hi": "hi",
    "kn": "en",
    "ta": "en",
}
"""Kannada and Tamil answers carry their personal details in English, as students usually write them."""

_T = tuple[tuple[str, str], ...]
PII_TEMPLATES: Final[dict[str, dict[str, _T]]] = {
    "PERSON": {
        "en": (("I discussed this answer with ", "."), ("Submitted by ", ""), ("My friend ", " helped me.")),
        "hi-Latn": (("Ye answer ", " ne likha hai."), ("Naam: ", "")),
        "hi": (("यह उत्तर ", " ने लिखा है।"), ("नाम: ", "")),
    },
    "PHONE_NUMBER": {
        "en": (("Please call me at ", " if my answer is unclear."), ("My number is ", "."), ("WhatsApp: ", "")),
        "hi-Latn": (("Mera number ", " hai, call kar lena."),),
        "hi": (("मेरा फ़ोन नंबर ", " है।"),),
    },
    "EMAIL_ADDRESS": {
        "en": (("Mail me at ", " for the diagram."), ("Email: ", "")),
        "hi-Latn": (("Mera email ", " hai."),),
        "hi": (("मेरा ईमेल ", " है।"),),
    },
    "IN_AADHAAR": {
        "en": (("My Aadhaar number is ", "."), ("Aadhaar: ", "")),
        "hi-Latn": (("Aadhaar no. ", " hai mera."),),
        "hi": (("मेरा आधार नंबर ", " है।"),),
    },
    "IN_PAN": {
        "en": (("PAN: ", ""), ("My PAN card number is ", ".")),
        "hi-Latn": (("Mera PAN ", " hai."),),
        "hi": (("पैन नंबर: ", ""),),
    },
    "ROLL_NUMBER": {
        "en": (("Roll no. ", ""), ("USN: ", "")),
        "hi-Latn": (("Roll no ", " hai mera."),),
        "hi": (("रोल नंबर: ", ""),),
    },
}  # fmt: skip
DECOY_TEMPLATES: Final[dict[str, _T]] = {
    "invalid_aadhaar_plain": (("Total marks ", " as per the portal."), ("Question paper code ", ".")),
    "invalid_aadhaar_spaced": (("Hall ticket series ", "."), ("Reference ", " printed on the sheet.")),
    "year": (("This happened in ", "."), ("It was first studied in ", ".")),
    "number": (("Final answer: ", " m/s"), ("The value comes to ", ".")),
}  # fmt: skip

_STD_CODES: Final = ("080", "044", "022", "011", "033", "040")
_EMAIL_DOMAINS: Final = ("gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com")
_PAN_HOLDER: Final = "PPPPPPPCHFATBLJG"  # mostly P (person)


def digit_strings(digits: npt.NDArray[np.integer]) -> pl.Series:
    """Each row of a (rows, width) digit matrix as a string, without a Python loop."""
    width = digits.shape[1]
    as_bytes = (np.asarray(digits, dtype=np.uint8) + ord("0")).view(f"S{width}").ravel()
    return pl.Series(as_bytes.astype(f"U{width}"), dtype=pl.String)


def _letters(rng: np.random.Generator, n: int, width: int) -> pl.Series:
    codes = rng.integers(ord("A"), ord("Z") + 1, (n, width)).astype(np.uint8)
    return pl.Series(codes.view(f"S{width}").ravel().astype(f"U{width}"), dtype=pl.String)


def aadhaar_digits(rng: np.random.Generator, n: int, *, valid: bool) -> npt.NDArray[np.int8]:
    """12-digit Aadhaar-shaped numbers; invalid ones get a wrong check digit and, being decoys,
    start with 2-5 and keep 0-5 in their first three places so no 10-digit mobile hides inside."""
    body = rng.integers(0, 10, (n, 11)).astype(np.int8)
    if valid:
        body[:, 0] = rng.integers(2, 10, n)
    else:
        body[:, 0] = rng.integers(2, 6, n)
        body[:, 1:3] = rng.integers(0, 6, (n, 2))
    check = check_digits(body)
    if not valid:
        check = ((check + rng.integers(1, 10, n)) % 10).astype(np.int8)
    return np.concatenate([body, check[:, None]], axis=1)


def _spaced(s: pl.Expr) -> pl.Expr:
    return pl.concat_str(s.str.slice(0, 4), s.str.slice(4, 4), s.str.slice(8, 4), separator=" ")


def pii_values(
    people: pl.DataFrame, form: npt.NDArray[np.int64], rng: np.random.Generator
) -> pl.Series:
    """The planted value for each row; `people` (given, surname, full_name, name_devanagari,
    roll_number) is aligned with `form` (indices into PII_FORMS)."""
    n = len(form)
    mobile = digit_strings(
        np.concatenate([rng.integers(6, 10, (n, 1)), rng.integers(0, 10, (n, 9))], axis=1)
    )
    std = pl.Series(np.array(_STD_CODES)[rng.integers(0, len(_STD_CODES), n)])
    local = digit_strings(
        np.concatenate([rng.integers(2, 10, (n, 1)), rng.integers(0, 10, (n, 7))], axis=1)
    )
    aadhaar = digit_strings(aadhaar_digits(rng, n, valid=True))
    holder = pl.Series(np.array(list(_PAN_HOLDER))[rng.integers(0, len(_PAN_HOLDER), n)])
    pan_digits = digit_strings(rng.integers(0, 10, (n, 4)))
    domain = pl.Series(np.array(_EMAIL_DOMAINS)[rng.integers(0, len(_EMAIL_DOMAINS), n)])
    two = digit_strings(rng.integers(0, 10, (n, 2)))
    frame = people.with_columns(
        form=pl.Series(form),
        mobile=mobile,
        std=std,
        local=local,
        aadhaar=aadhaar,
        pan=pl.concat_str(
            _letters(rng, n, 3),
            holder,
            pl.col("surname").str.slice(0, 1),
            pan_digits,
            _letters(rng, n, 1),
        ),
        domain=domain,
        two=two,
    )
    names = [f for _, f in PII_FORMS]
    value = pl.when(pl.col("form") == names.index("full")).then(pl.col("full_name"))
    cases: list[tuple[int, pl.Expr]] = [
        (1, pl.concat_str("given", pl.lit(" "), pl.col("surname").str.slice(0, 1), pl.lit("."))),
        (2, pl.col("full_name").str.to_lowercase()),
        (3, pl.col("full_name").str.to_uppercase()),
        (4, pl.col("name_devanagari")),
        (5, pl.concat_str(pl.lit("+91 "), "mobile")),
        (6, pl.concat_str("std", pl.lit("-"), pl.col("local").str.slice(0, 4), pl.lit("-"), pl.col("local").str.slice(4, 4))),
        (7, pl.col("mobile")),
        (8, pl.concat_str(pl.col("given").str.to_lowercase(), pl.lit("."), pl.col("surname").str.to_lowercase(), "two", pl.lit("@"), "domain")),
        (9, pl.concat_str(pl.col("roll_number").str.to_lowercase(), pl.lit("@students.college.edu.in"))),
        (10, _spaced(pl.col("aadhaar"))),
        (11, pl.col("aadhaar")),
        (12, pl.col("pan")),
        (13, pl.col("roll_number")),
    ]  # fmt: skip
    chain = value
    for code, expr in cases:
        chain = chain.when(pl.col("form") == code).then(expr)  # type: ignore[assignment]
    return frame.select(chain.otherwise(None).alias("value"))["value"]


def decoy_values(form: npt.NDArray[np.int64], rng: np.random.Generator) -> pl.Series:
    """The decoy for each row (indices into DECOY_FORMS)."""
    n = len(form)
    bad = digit_strings(aadhaar_digits(rng, n, valid=False))
    year = pl.Series(rng.integers(1757, 2025, n)).cast(pl.String)
    number = pl.Series(np.round(rng.uniform(0.5, 500.0, n), 1)).cast(pl.String)
    frame = pl.DataFrame({"form": form, "bad": bad, "year": year, "number": number})
    return frame.select(
        pl.when(pl.col("form") == 0)
        .then(pl.col("bad"))
        .when(pl.col("form") == 1)
        .then(_spaced(pl.col("bad")))
        .when(pl.col("form") == 2)
        .then(pl.col("year"))
        .otherwise(pl.col("number"))
        .alias("value")
    )["value"]


def _flatten(
    groups: list[_T],
) -> tuple[list[str], list[str], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    prefixes = [p for g in groups for p, _ in g]
    suffixes = [s for g in groups for _, s in g]
    counts = np.array([len(g) for g in groups], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return prefixes, suffixes, starts, counts


def wrap(
    values: pl.Series, group: npt.NDArray[np.int64], groups: list[_T], rng: np.random.Generator
) -> pl.Series:
    """Put each value into a random template of its group (prefix + value + suffix)."""
    prefixes, suffixes, starts, counts = _flatten(groups)
    pick = starts[group] + np.floor(rng.random(len(group)) * counts[group]).astype(np.int64)
    pre = pl.Series(prefixes, dtype=pl.String).gather(pick)
    post = pl.Series(suffixes, dtype=pl.String).gather(pick)
    return pl.DataFrame({"pre": pre, "v": values, "post": post}).select(
        pl.concat_str("pre", "v", "post")
    )["pre"]


def pii_template_groups() -> tuple[list[_T], dict[tuple[str, str], int]]:
    """All PII template lists, and the index of each (entity type, template group)."""
    groups: list[_T] = []
    index: dict[tuple[str, str], int] = {}
    for entity, by_group in PII_TEMPLATES.items():
        for group, templates in by_group.items():
            index[(entity, group)] = len(groups)
            groups.append(templates)
    return groups, index
