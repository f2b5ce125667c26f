"""The one shape every filter has: a name, typed parameters and a vectorised `apply`.

A step adds its attribute columns (prefixed with its name) and one boolean `<name>_pass` column to
the frame; it never removes rows, so dropped documents keep every attribute and stay queryable.
A step that cannot judge a document passes it and says so in a `<name>_judged` column.
"""

from __future__ import annotations

from typing import Final, Protocol, runtime_checkable

import polars as pl

TEXT_COLUMN: Final[str] = "answer_text"
"""The column every step analyses (rule-based correction rewrites it for the steps after it)."""

LANGUAGE_COLUMN: Final[str] = "language_detected"
"""Written by the language step; later steps pick per-language stop words and models with it."""


@runtime_checkable
class Step(Protocol):
    """A filter step. `apply` must add `pass_column(self.name)` and may add other columns."""

    @property
    def name(self) -> str: ...

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame: ...


def pass_column(name: str) -> str:
    """The boolean column a step named `name` writes: true when the document passes it."""
    return f"{name}_pass"


def document_language(frame: pl.DataFrame) -> pl.Expr:
    """The detected language, or the declared one when the language step has not run."""
    if LANGUAGE_COLUMN in frame.columns:
        return pl.col(LANGUAGE_COLUMN)
    if "language" in frame.columns:
        return pl.col("language").cast(pl.String)
    return pl.lit(None, dtype=pl.String)


def require_columns(frame: pl.DataFrame, *, step: str, columns: tuple[str, ...]) -> None:
    """Fail early, naming the step and what it needs, when an input column is missing."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"filter step {step!r} needs columns {missing} that the frame lacks "
            f"(has {frame.columns}); run the steps before it or add the columns"
        )
