"""Gate results as Dagster asset checks.

Dagster's asset checks are per asset, not per partition, so a gate is emitted from inside the
asset that produced the partition: the asset declares `check_specs=gate_check_specs(...)` (blocking,
so a failing partition's downstream assets do not run) and yields `gate_check_result(...)` after
validating what it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
)

from expectations.gate_result import GateResult
from lakehouse.markdown import records_table

AssetKeyLike = AssetKey | str | Sequence[str]

GATE_DESCRIPTIONS: Final[dict[str, str]] = {
    "bronze": (
        "Contract columns and types, required fields, grade within [0, max_grade], unique "
        "submission_id, quarantine rate below the institution's bound."
    ),
    "consent": (
        "No record of a student without granted consent, a minor without guardian consent, or a "
        "student who asked for erasure."
    ),
    "silver": (
        "Silver columns present; zero Aadhaar, PAN, phone or email patterns, raw student ids or "
        "roster names in the text."
    ),
    "curated": (
        "kept/drop_reason consistent, language mix and kept fraction within bounds, scores in range."
    ),
    "reward": "Reward-model scores in [0, 1] with a model version; coverage above the bound.",
    "exports": "Dataset schema, no empty prompt/response/text, preference pairs ordered by grade.",
}
MAX_EXAMPLE_ROWS: Final = 20


def _description(gate: str) -> str:
    base = gate.split("_", 1)[0]
    return GATE_DESCRIPTIONS.get(gate) or GATE_DESCRIPTIONS.get(base) or f"Quality gate {gate}."


def gate_check_specs(
    *, asset_key: AssetKeyLike, gates: Sequence[str], blocking: bool = True
) -> list[AssetCheckSpec]:
    """The check specs an asset declares for its gates (check name = gate name)."""
    key = AssetKey.from_coercible(asset_key)
    return [
        AssetCheckSpec(gate, asset=key, blocking=blocking, description=_description(gate))
        for gate in gates
    ]


def examples_markdown(result: GateResult, *, limit: int = MAX_EXAMPLE_ROWS) -> str:
    """The example rows as a markdown table (already restricted to safe, redacted columns)."""
    return records_table(result.examples[:limit], empty="(no example rows)")


def gate_check_result(
    *, result: GateResult, asset_key: AssetKeyLike | None = None
) -> AssetCheckResult:
    """The check result of one gate run: passed (or overridden) or an ERROR naming the failed
    expectations, their observed values and a few safe example rows."""
    failed = list(result.failed_expectations)
    observed = {o.name: o.observed_value for o in result.expectations if not o.success}
    metadata: dict[str, Any] = {
        "failed_expectations": MetadataValue.json(failed),
        "observed_values": MetadataValue.json(observed),
        "example_rows": MetadataValue.md(examples_markdown(result)),
        "expectations_evaluated": len(result.expectations),
        "rows_validated": result.row_count,
        "sampled_rows": result.sampled_rows if result.sampled_rows is not None else 0,
        "duration_s": result.duration_s,
        "overridden": result.overridden,
    }
    if result.override is not None and result.overridden:
        metadata["override"] = MetadataValue.json(
            {
                "acknowledged_by": result.override.acknowledged_by,
                "reason": result.override.reason,
                "expires": result.override.expires.isoformat() if result.override.expires else None,
            }
        )
    if result.notes:
        metadata["notes"] = MetadataValue.json(list(result.notes))
    if result.success:
        description = f"{result.gate}: all {len(result.expectations)} expectations passed"
    elif result.overridden:
        description = f"{result.gate}: {len(failed)} failed, overridden by an acknowledged override"
    else:
        description = f"{result.gate}: failed {', '.join(failed[:10])}"
    return AssetCheckResult(
        check_name=result.gate,
        asset_key=AssetKey.from_coercible(asset_key) if asset_key is not None else None,
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=description,
    )


def not_evaluated(asset_key: AssetKeyLike, check_name: str, why: str) -> AssetCheckResult:
    """Every check of a multi-asset must report: one whose asset was not built passes, marked
    `evaluated: False`, saying why."""
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=True,
        description=f"not evaluated: {why}",
        metadata={"evaluated": False},
    )
