"""The layout of a lakehouse home folder (shared/CONTRACT.md, "Configuration" and "Outputs")."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, Literal

Layer = Literal["bronze", "silver", "gold"]

DEFAULT_HOME: Final = Path("lakehouse_home")
NIGHT_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INSTITUTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""An institution folder name: it becomes a Dagster partition key and a hive partition value."""


@dataclass(frozen=True, slots=True)
class PartitionRef:
    """One institution's one night: the unit of ingestion, idempotency and atomic replacement."""

    institution_id: str
    night: date

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.night.isoformat()}"

    def precedence(self) -> tuple[date, str]:
        """The fixed order of partitions (night, then institution) in which cross-partition
        decisions are made: dedup's "first seen wins", copy clusters, models trained on history.
        Running partitions in this order makes a run equal to any earlier run of the same data."""
        return (self.night, self.institution_id)


@dataclass(frozen=True, slots=True)
class LakehouseHome:
    """Paths under `$LAKEHOUSE_HOME`; creates nothing by itself."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @classmethod
    def from_env(cls, root: Path | str | None = None) -> LakehouseHome:
        """`root`, else `$LAKEHOUSE_HOME`, else `./lakehouse_home`, made absolute."""
        chosen = root if root is not None else os.environ.get("LAKEHOUSE_HOME", str(DEFAULT_HOME))
        return cls(Path(chosen).expanduser().resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def audit(self) -> Path:
        return self.lake / "gold" / "audit"

    def institution_dir(self, institution_id: str) -> Path:
        return self.landing / institution_id

    def night_dir(self, ref: PartitionRef) -> Path:
        return self.landing / ref.institution_id / ref.night.isoformat()

    def roster_csv(self, institution_id: str) -> Path:
        return self.institution_dir(institution_id) / "roster.csv"

    def consent_csv(self, institution_id: str) -> Path:
        return self.institution_dir(institution_id) / "consent.csv"

    def erasure_dir(self, institution_id: str) -> Path:
        return self.institution_dir(institution_id) / "erasure"

    def table_dir(self, layer: Layer, table: str) -> Path:
        return self.lake / layer / table

    def partition_dir(self, layer: Layer, table: str, ref: PartitionRef) -> Path:
        """Hive layout: `lake/<layer>/<table>/institution=<id>/night=<YYYY-MM-DD>/`."""
        return (
            self.table_dir(layer, table)
            / f"institution={ref.institution_id}"
            / f"night={ref.night.isoformat()}"
        )

    def landed_institutions(self) -> list[str]:
        """Institution folders in the landing zone, sorted; odd names are skipped, not fatal."""
        if not self.landing.is_dir():
            return []
        return sorted(
            p.name for p in self.landing.iterdir() if p.is_dir() and INSTITUTION_ID.match(p.name)
        )

    def landed_partitions(self) -> list[PartitionRef]:
        """Every `landing/<institution>/<YYYY-MM-DD>/` folder, in precedence order (night, then
        institution: `PartitionRef.precedence`)."""
        refs: list[PartitionRef] = []
        for inst in self.landed_institutions():
            for night_dir in sorted(self.institution_dir(inst).iterdir()):
                if night_dir.is_dir() and NIGHT_FOLDER.match(night_dir.name):
                    try:
                        night = date.fromisoformat(night_dir.name)
                    except ValueError:
                        continue
                    refs.append(PartitionRef(inst, night))
        return sorted(refs, key=PartitionRef.precedence)
