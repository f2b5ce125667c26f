"""A dataset's filter funnel: how many rows each step removed and how many remained."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import polars as pl

FUNNEL_SCHEMA: Final[dict[str, pl.DataType]] = {
    "step": pl.String(),
    "removed": pl.Int64(),
    "remaining": pl.Int64(),
}


@dataclass
class Funnel:
    """Steps in order; the first records the rows that came in (removed 0)."""

    steps: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.steps[-1][2] if self.steps else 0

    def start(self, step: str, rows: int) -> Funnel:
        self.steps.append((step, 0, rows))
        return self

    def after(self, step: str, rows: int) -> Funnel:
        """Record a step that left `rows` rows (removed = rows before - rows now)."""
        self.steps.append((step, self.remaining - rows, rows))
        return self

    def removed(self, step: str, count: int) -> Funnel:
        """Record a step that removed `count` rows."""
        self.steps.append((step, count, self.remaining - count))
        return self

    def extend(self, other: Funnel) -> Funnel:
        self.steps.extend(other.steps)
        return self

    def copy(self) -> Funnel:
        return Funnel(list(self.steps))

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "step": [s for s, _, _ in self.steps],
                "removed": [r for _, r, _ in self.steps],
                "remaining": [n for _, _, n in self.steps],
            },
            schema=FUNNEL_SCHEMA,
        )
