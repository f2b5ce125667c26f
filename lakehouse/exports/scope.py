"""Which partitions a release may include: those that went through every layer and whose every
quality gate passed (or was overridden with an acknowledgement) on its latest run.

A gate runs after its asset has written the partition, so a partition blocked tonight can still
hold files from an earlier run, or tonight's files of the blocked layer itself. The gate results
in `lake/gold/quality_results` are the verdicts of record: a partition whose latest verdict of
any gate is a failure stays out of every release until it is fixed and re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.tables import CURATED_TABLE, SCRUBBED_TABLE

PARTITION_GATES: Final[tuple[str, ...]] = ("bronze", "consent", "silver", "curated", "reward")
REQUIRED_TABLES: Final[tuple[tuple[str, str], ...]] = (
    ("silver", SCRUBBED_TABLE),
    ("silver", CURATED_TABLE),
    ("gold", "reward_scores"),
    ("gold", "partition_ledger"),
)


@dataclass(frozen=True)
class ReleaseScope:
    included: tuple[PartitionRef, ...]
    excluded: dict[PartitionRef, str]
    """Partitions left out, with why (a missing layer or the gates that failed)."""


def _published(home: LakehouseHome, layer: str, table: str) -> set[PartitionRef]:
    root = home.lake / layer / table
    return {
        PartitionRef(
            f.parent.parent.name.removeprefix("institution="),
            date.fromisoformat(f.parent.name.removeprefix("night=")),
        )
        for f in root.glob("institution=*/night=*/*.parquet")
    }


def _latest_verdicts(home: LakehouseHome) -> pl.DataFrame:
    files = sorted(
        (home.lake / "gold" / "quality_results").glob("gate=*/institution=*/night=*/*.parquet")
    )
    if not files:
        return pl.DataFrame(
            schema={
                "institution_id": pl.String,
                "night": pl.Date,
                "gate": pl.String,
                "ok": pl.Boolean,
            }
        )
    return (
        pl.read_parquet(files, columns=["institution_id", "night", "gate", "success", "overridden"])
        .group_by("institution_id", "night", "gate")
        .agg((pl.col("success").all() | pl.col("overridden").any()).alias("ok"))
    )


def release_scope(home: LakehouseHome) -> ReleaseScope:
    """Every landed partition sorted into included or excluded (with the reason)."""
    candidates = set(home.landed_partitions())
    present = {t: _published(home, layer, t) for layer, t in REQUIRED_TABLES}
    verdicts = _latest_verdicts(home)
    ok: dict[tuple[str, date], dict[str, bool]] = {}
    for inst, night, gate, passed in verdicts.iter_rows():
        ok.setdefault((inst, night), {})[gate] = bool(passed)
    included: list[PartitionRef] = []
    excluded: dict[PartitionRef, str] = {}
    for ref in sorted(candidates, key=lambda r: (r.institution_id, r.night)):
        missing = [t for t, refs in present.items() if ref not in refs]
        gates = ok.get((ref.institution_id, ref.night), {})
        failed = [g for g in PARTITION_GATES if not gates.get(g, False)]
        if missing:
            excluded[ref] = "not materialised: " + ", ".join(missing)
        elif failed:
            excluded[ref] = "gate not passed: " + ", ".join(failed)
        else:
            included.append(ref)
    return ReleaseScope(included=tuple(included), excluded=excluded)
