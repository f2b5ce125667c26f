"""Keyed pseudonyms for people's ids (student_id, grader_id): HMAC-SHA256, institution-scoped.

`pseudonym = "p_" + hex(HMAC-SHA256(key, institution_id + "\\x1f" + raw_id))[:32]`

- Keyed: without the key nobody can confirm a guess (ids are short, often sequential, so an
  unkeyed hash would fall to a dictionary in seconds). The key is never written to the lake.
- Stable: the same key, institution and id give the same pseudonym in every run and every night,
  so joins across nights, dedup and erasure keep working.
- Institution-scoped: the institution id is part of the message, so the same roll number at two
  institutions (different people) gives two pseudonyms, and pseudonyms cannot be linked across
  institutions. The unit separator (0x1f) cannot occur in an institution folder name, so
  ("a", "bc") and ("ab", "c") never collide.
- 128 bits (32 hex characters): collisions are negligible at any roster size.

Rotating the key changes every pseudonym: treat it as a re-identification of the whole lake.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Final

import polars as pl

KEY_ENV: Final = "LAKEHOUSE_PSEUDONYM_KEY"
KEY_FILE_ENV: Final = "LAKEHOUSE_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES: Final = 32
PREFIX: Final = "p_"
HEX_CHARS: Final = 32
_SEP: Final = "\x1f"


class PseudonymKeyError(RuntimeError):
    """The pseudonymisation key is missing, unreadable or too short (the message says how to fix
    it and never contains the key)."""


def load_key(*, environ: dict[str, str] | None = None) -> bytes:
    """The HMAC key: `$LAKEHOUSE_PSEUDONYM_KEY`, else the file named by
    `$LAKEHOUSE_PSEUDONYM_KEY_FILE` (surrounding whitespace stripped). At least 32 bytes."""
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV, "")
    source = KEY_ENV
    if not value and env.get(KEY_FILE_ENV):
        path = Path(env[KEY_FILE_ENV])
        source = f"the file named by {KEY_FILE_ENV}"
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PseudonymKeyError(
                f"cannot read the pseudonymisation key from {path} (named by {KEY_FILE_ENV}): "
                f"{exc.strerror}; check the path and its permissions"
            ) from None
    value = value.strip()
    if not value:
        raise PseudonymKeyError(
            f"no pseudonymisation key: set {KEY_ENV} to a secret of at least {MIN_KEY_BYTES} "
            f"bytes, or {KEY_FILE_ENV} to a file holding one "
            f'(e.g. python -c "import secrets; print(secrets.token_hex(32))")'
        )
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonymisation key from {source} is {len(key)} bytes; at least "
            f"{MIN_KEY_BYTES} are required (e.g. secrets.token_hex(32))"
        )
    return key


def validate_key(key: bytes) -> bytes:
    """`key`, if long enough."""
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonymisation key is {len(key)} bytes; at least {MIN_KEY_BYTES} are required"
        )
    return key


def pseudonym(raw_id: str, *, institution_id: str, key: bytes) -> str:
    """The pseudonym of one id (see the module docstring for the construction)."""
    message = f"{institution_id}{_SEP}{raw_id}".encode()
    digest = hmac.new(validate_key(key), message, hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_CHARS]


def pseudonymise_series(series: pl.Series, *, institution_id: str, key: bytes) -> pl.Series:
    """Pseudonyms for a column of ids; nulls stay null.

    HMAC has no polars kernel, so each *distinct* id is hashed once (a roster's worth of work,
    not a row's) and the column is mapped with `replace_strict`.
    """
    validate_key(key)
    distinct = series.cast(pl.String).drop_nulls().unique()
    mapping = {v: pseudonym(v, institution_id=institution_id, key=key) for v in distinct}
    return (
        series.cast(pl.String)
        .replace_strict(mapping, default=None, return_dtype=pl.String)
        .alias(series.name)
    )


def pseudonymise_columns(
    frame: pl.DataFrame,
    *,
    columns: tuple[str, ...] = ("student_id", "grader_id"),
    institution_id: str,
    key: bytes,
) -> pl.DataFrame:
    """`frame` with each present column of `columns` replaced by its pseudonyms."""
    return frame.with_columns(
        pseudonymise_series(frame.get_column(c), institution_id=institution_id, key=key)
        for c in columns
        if c in frame.columns
    )
