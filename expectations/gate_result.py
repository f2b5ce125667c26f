"""What a gate run produced, free of GX and Dagster types, so results travel anywhere (a check's
metadata, the lake, a CLI) and hold nothing but safe values."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from expectations.gate import ExamplePolicy


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    """One expectation of one gate run.

    `observed_value` is a rendering that never holds row values: a metric (`0.031`), a dtype name,
    a column list, or a count of unexpected rows (`3 of 1200 rows (0.25%)`).
    """

    name: str
    expectation_type: str
    column: str | None
    success: bool
    observed_value: str | None
    unexpected_count: int | None = None
    element_count: int | None = None
    sampled: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A partition's acknowledged failure of one gate (see `expectations.overrides`)."""

    gate: str
    institution_id: str
    night: date
    acknowledged_by: str
    reason: str
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class GateResult:
    """One gate over one frame.

    `success` is what the data says; `passed` is what flow control uses: `success`, or an
    acknowledged override of a failure (`overridden`). `examples` are a few offending rows per
    failed expectation, with only safe columns (see `expectations.gate`).
    """

    gate: str
    success: bool
    expectations: tuple[ExpectationOutcome, ...]
    examples: tuple[dict[str, object], ...]
    example_policy: ExamplePolicy
    row_count: int
    sampled_rows: int | None
    duration_s: float
    evaluated_at: datetime
    overridden: bool = False
    override: Override | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.success or self.overridden

    @property
    def failed_expectations(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.expectations if not e.success)

    def with_override(self, override: Override) -> GateResult:
        return replace(self, overridden=not self.success, override=override)

    def with_note(self, note: str) -> GateResult:
        return replace(self, notes=(*self.notes, note))
