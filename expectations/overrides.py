"""Acknowledging a failing gate for one partition, with an audit trail.

To let one partition flow past a failing gate, a data engineer writes
`$LAKEHOUSE_HOME/config/quality/overrides/<gate>/<institution_id>/<YYYY-MM-DD>.yaml`::

    acknowledged_by: asha.rao@college.example
    reason: "Night exported twice by the LMS; duplicates are known and harmless (ticket 4711)."
    expires: 2026-02-01   # required: the override is ignored from this day on

and re-runs the partition. A valid, unexpired file marks a failing result `overridden` (it passes
for flow control; the check, the lake results and the UI still show every failed expectation) and
appends an audit event to `lake/gold/audit/`. An invalid file is an error; an expired one is
ignored with a note on the result. Nothing here depends on Dagster.

The privacy gates cannot be overridden (`NOT_OVERRIDABLE`): a partition that failed the consent
gate or the residual-PII (silver) gate never flows on, whatever file is there; the file is noted
on the result and ignored. Every other override names who acknowledged it and expires, at most
`MAX_OVERRIDE_DAYS` after the night it covers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from expectations.gate_result import GateResult, Override
from expectations.thresholds import ThresholdsFileError, read_yaml_mapping
from lakehouse.atomic import atomic_file
from lakehouse.home import LakehouseHome, PartitionRef

AUDIT_EVENT: Final = "quality_gate_override"
NOT_OVERRIDABLE: Final = frozenset({"consent", "silver"})
"""Gates that guard students' rights (consent, residual personal data): never overridden."""
MAX_OVERRIDE_DAYS: Final = 90
AUDIT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "at": pl.Datetime("us", "UTC"),
    "event": pl.String(),
    "gate": pl.String(),
    "institution_id": pl.String(),
    "night": pl.Date(),
    "acknowledged_by": pl.String(),
    "reason": pl.String(),
}


class OverrideFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    acknowledged_by: str
    reason: str
    expires: date

    @field_validator("acknowledged_by", "reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


def load_override(*, home: LakehouseHome, gate: str, ref: PartitionRef) -> Override | None:
    """The partition's override of `gate`, or None when there is no file."""
    path = home.override_yaml(gate, ref)
    if not path.is_file():
        return None
    try:
        parsed = OverrideFile.model_validate(read_yaml_mapping(path, what="quality override"))
    except ValidationError as exc:
        raise ThresholdsFileError(f"invalid quality override in {path}:\n{exc}") from exc
    if (parsed.expires - ref.night).days > MAX_OVERRIDE_DAYS:
        raise ThresholdsFileError(
            f"invalid quality override in {path}: expires {parsed.expires.isoformat()} is more "
            f"than {MAX_OVERRIDE_DAYS} days after the night it covers ({ref.night.isoformat()})"
        )
    return Override(
        gate=gate,
        institution_id=ref.institution_id,
        night=ref.night,
        acknowledged_by=parsed.acknowledged_by,
        reason=parsed.reason,
        expires=parsed.expires,
    )


def write_audit_event(*, home: LakehouseHome, override: Override, at: datetime) -> Path:
    """Append one override event to `lake/gold/audit/` as its own uniquely named Parquet file
    (written aside, then renamed, so a reader never sees half of it)."""
    home.audit.mkdir(parents=True, exist_ok=True)
    frame = pl.DataFrame(
        {
            "at": [at],
            "event": [AUDIT_EVENT],
            "gate": [override.gate],
            "institution_id": [override.institution_id],
            "night": [override.night],
            "acknowledged_by": [override.acknowledged_by],
            "reason": [override.reason],
        },
        schema=AUDIT_SCHEMA,
    )
    name = f"{AUDIT_EVENT}-{at.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:12]}.parquet"
    final = home.audit / name
    with atomic_file(final) as staged:
        frame.write_parquet(staged)
    return final


def apply_override(
    *, result: GateResult, home: LakehouseHome, ref: PartitionRef, today: date | None = None
) -> GateResult:
    """`result`, marked overridden when it failed and the partition has a valid, unexpired
    override (an audit event is then written); otherwise unchanged but for a note."""
    if result.gate in NOT_OVERRIDABLE:
        if home.override_yaml(result.gate, ref).exists():
            return result.with_note(
                f"the {result.gate} gate guards students' rights and cannot be overridden: "
                "the override file is ignored"
            )
        return result
    override = load_override(home=home, gate=result.gate, ref=ref)
    if override is None:
        return result
    today = today or datetime.now(UTC).date()
    if override.expires is not None and override.expires <= today:
        return result.with_note(
            f"override by {override.acknowledged_by} expired on {override.expires.isoformat()}"
        )
    if result.success:
        return result.with_note("an override file exists but the gate passed without it")
    write_audit_event(home=home, override=override, at=datetime.now(UTC))
    return result.with_override(override)
