"""Run steps in order, record the first failing step as `drop_reason`, and count the funnel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from lakehouse.filters.step import TEXT_COLUMN, Step, pass_column
from lakehouse.filters.text_units import word_count

FUNNEL_SCHEMA: dict[str, pl.DataType] = {
    "position": pl.Int32(),
    "step": pl.String(),
    "docs_in": pl.Int64(),
    "dropped": pl.Int64(),
    "failed": pl.Int64(),
    "docs_out": pl.Int64(),
    "tokens_out": pl.Int64(),
}
"""One row per step. `dropped`: first failure here; `failed`: failing here whatever came before."""


@dataclass(frozen=True)
class ChainResult:
    documents: pl.DataFrame
    """Every input row with every step's columns plus `drop_reason` (null when kept) and `kept`."""
    funnel: pl.DataFrame
    """FUNNEL_SCHEMA rows; docs in = kept + sum(dropped)."""


@dataclass(frozen=True)
class Chain:
    """Steps in order. Every step sees every document, so all attributes exist for all rows.

    Examples
    --------
    >>> import polars as pl
    >>> from lakehouse.filters.safety import SafetyStep
    >>> frame = pl.DataFrame({"answer_text": ["a fine answer", "you bastard"]})
    >>> result = Chain(steps=(SafetyStep(),)).run(frame)
    >>> result.documents["drop_reason"].to_list()
    [None, 'safety']
    """

    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"filter chain step names must be unique, got {names}")

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)

    def run(self, frame: pl.DataFrame) -> ChainResult:
        for step in self.steps:
            frame = step.apply(frame)
            if pass_column(step.name) not in frame.columns:
                raise ValueError(
                    f"filter step {step.name!r} did not write {pass_column(step.name)}"
                )
        documents = frame.with_columns(drop_reason=first_failure(step_names=self.step_names))
        documents = documents.with_columns(kept=pl.col("drop_reason").is_null())
        return ChainResult(documents=documents, funnel=funnel(documents, self.step_names))


def first_failure(*, step_names: Sequence[str]) -> pl.Expr:
    """Name of the first step whose pass column is false (a null pass counts as a pass)."""
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for name in reversed(step_names):
        expr = (
            pl.when(~pl.col(pass_column(name)).fill_null(True)).then(pl.lit(name)).otherwise(expr)
        )
    return expr


def funnel(documents: pl.DataFrame, step_names: Sequence[str]) -> pl.DataFrame:
    """Docs reaching each step, dropped there, leaving it, and the words they carry."""
    tokens = word_count(pl.col(TEXT_COLUMN).fill_null(""))
    order = {name: i for i, name in enumerate(step_names)}
    position = pl.col("drop_reason").replace_strict(order, default=len(step_names))
    stats = documents.select(position=position, tokens=tokens)
    rows = []
    docs_in = documents.height
    for i, name in enumerate(step_names):
        reaching_after = stats.filter(pl.col("position") > i)
        failed = int((~documents[pass_column(name)].fill_null(True)).sum())
        dropped = docs_in - reaching_after.height
        rows.append(
            (
                i,
                name,
                docs_in,
                dropped,
                failed,
                reaching_after.height,
                int(reaching_after["tokens"].sum()),
            )
        )
        docs_in = reaching_after.height
    return pl.DataFrame(rows, schema=FUNNEL_SCHEMA, orient="row")
