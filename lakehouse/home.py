"""The layout of a lakehouse home folder (shared/CONTRACT.md, "Configuration" and "Outputs").

Every identifier that becomes part of a path (institution, night, export dataset and release) is
validated here, in one place, with a whole-string match (`\\A...\\Z`: `$` would let a trailing
newline through), and paths built from them are checked to stay under the home, so a partition key
such as `../../../../tmp/pwn`, typed in the UI, fails with a clear error before anything is touched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, Literal

Layer = Literal["bronze", "silver", "gold"]
ModelKind = Literal["filters", "reward"]
IdentifierKind = Literal["institution", "night", "dataset", "release", "gate"]

DEFAULT_HOME: Final = Path("lakehouse_home")
NIGHT_FOLDER = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
INSTITUTION_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
"""An institution folder name: it becomes a Dagster partition key and a hive partition value."""
DATASET_NAME = re.compile(r"\A[a-z][a-z0-9_]{0,31}\Z")
RELEASE_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\Z")
"""An export release id (`r-<first night>_<last night>-<hash>`)."""

_PATTERNS: Final[dict[IdentifierKind, re.Pattern[str]]] = {
    "institution": INSTITUTION_ID,
    "night": NIGHT_FOLDER,
    "dataset": DATASET_NAME,
    "release": RELEASE_ID,
    "gate": DATASET_NAME,
}
_RULES: Final[dict[IdentifierKind, str]] = {
    "institution": "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    "night": "a date written YYYY-MM-DD",
    "dataset": "1-32 lower-case letters, digits or '_', starting with a letter",
    "release": "1-128 letters, digits, '_', '.' or '-', starting with a letter or digit",
    "gate": "1-32 lower-case letters, digits or '_', starting with a letter",
}


class InvalidIdentifierError(ValueError):
    """An identifier that would become part of a path is malformed (the message says which rule)."""


class PathOutsideHomeError(ValueError):
    """A path that should lie under the home (or its landing zone) resolves outside it."""


def checked_identifier(kind: IdentifierKind, value: object) -> str:
    """`value` if it is a well-formed identifier of `kind`, else `InvalidIdentifierError`."""
    if not isinstance(value, str) or not _PATTERNS[kind].fullmatch(value):
        raise InvalidIdentifierError(f"invalid {kind} {value!r}: expected {_RULES[kind]}")
    return value


def checked_night(value: object) -> date:
    """A night identifier (`YYYY-MM-DD`, nothing else `date.fromisoformat` would take) as a date."""
    text = checked_identifier("night", value)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidIdentifierError(f"invalid night {text!r}: not a calendar date") from exc


def checked_under(base: Path, path: Path, *, resolve: bool = False) -> Path:
    """`path` if it stays under `base` (lexically; also after following links when `resolve`)."""
    inside = Path(os.path.normpath(path)).is_relative_to(os.path.normpath(base))
    if inside and resolve:
        inside = path.resolve().is_relative_to(base.resolve())
    if not inside:
        raise PathOutsideHomeError(f"{path} is outside {base}")
    return path


@dataclass(frozen=True, slots=True)
class PartitionRef:
    """One institution's one night: the unit of ingestion, idempotency and atomic replacement."""

    institution_id: str
    night: date

    def __post_init__(self) -> None:
        checked_identifier("institution", self.institution_id)
        if not isinstance(self.night, date):
            raise InvalidIdentifierError(f"invalid night {self.night!r}: expected a date")

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

    @property
    def config(self) -> Path:
        """`config/`: per-institution settings the operator edits."""
        return self.root / "config"

    @property
    def quality_config(self) -> Path:
        """`config/quality/`: gate thresholds per institution (`<inst>.yaml`) and `overrides/`."""
        return self.config / "quality"

    @property
    def quality_overrides(self) -> Path:
        return self.quality_config / "overrides"

    def thresholds_yaml(self, institution_id: str) -> Path:
        return self.quality_config / f"{checked_identifier('institution', institution_id)}.yaml"

    def override_yaml(self, gate: str, ref: PartitionRef) -> Path:
        """`config/quality/overrides/<gate>/<inst>/<YYYY-MM-DD>.yaml`."""
        institution = checked_identifier("institution", ref.institution_id)
        folder = self.quality_overrides / checked_identifier("gate", gate) / institution
        return folder / f"{ref.night.isoformat()}.yaml"

    def institution_config_yaml(self, institution_id: str) -> Path:
        return (
            self.config
            / "institutions"
            / f"{checked_identifier('institution', institution_id)}.yaml"
        )

    @property
    def models(self) -> Path:
        """`models/<inst>/<kind>/before=<night>/`: models trained on the nights before a night."""
        return self.root / "models"

    def model_dir(self, ref: PartitionRef, kind: ModelKind) -> Path:
        """The `kind` model folder for `ref`'s night (trained on the nights before it)."""
        institution = checked_identifier("institution", ref.institution_id)
        return self.models / institution / kind / f"before={ref.night.isoformat()}"

    @property
    def dedup_index(self) -> Path:
        """`index/dedup/`: the cross-night dedup index of every institution."""
        return self.root / "index" / "dedup"

    def institution_dir(self, institution_id: str) -> Path:
        """`landing/<institution_id>/`; refuses a malformed id or a folder linking out of landing."""
        path = self.landing / checked_identifier("institution", institution_id)
        return checked_under(self.landing, path, resolve=True)

    def night_dir(self, ref: PartitionRef) -> Path:
        path = self.institution_dir(ref.institution_id) / ref.night.isoformat()
        return checked_under(self.landing, path, resolve=True)

    def export_release_dir(self, dataset: str, release_id: str) -> Path:
        """`exports/<dataset>/release=<release_id>/`, both identifiers checked."""
        path = (
            self.exports
            / checked_identifier("dataset", dataset)
            / f"release={checked_identifier('release', release_id)}"
        )
        return checked_under(self.exports, path)

    def roster_csv(self, institution_id: str) -> Path:
        return self.institution_dir(institution_id) / "roster.csv"

    def consent_csv(self, institution_id: str) -> Path:
        return self.institution_dir(institution_id) / "consent.csv"

    def erasure_dir(self, institution_id: str) -> Path:
        return self.institution_dir(institution_id) / "erasure"

    def table_dir(self, layer: Layer, table: str) -> Path:
        return checked_under(self.lake, self.lake / layer / table)

    def partition_dir(self, layer: Layer, table: str, ref: PartitionRef) -> Path:
        """Hive layout: `lake/<layer>/<table>/institution=<id>/night=<YYYY-MM-DD>/`."""
        return (
            self.table_dir(layer, table)
            / f"institution={checked_identifier('institution', ref.institution_id)}"
            / f"night={ref.night.isoformat()}"
        )

    def _inside_landing(self, path: Path) -> bool:
        try:
            checked_under(self.landing, path, resolve=True)
        except PathOutsideHomeError:
            return False
        return True

    def landed_institutions(self) -> list[str]:
        """Institution folders in the landing zone, sorted; odd names, and links leading out of
        the landing zone, are skipped, not fatal."""
        if not self.landing.is_dir():
            return []
        return sorted(
            p.name
            for p in self.landing.iterdir()
            if p.is_dir() and INSTITUTION_ID.fullmatch(p.name) and self._inside_landing(p)
        )

    def landed_partitions(self) -> list[PartitionRef]:
        """Every `landing/<institution>/<YYYY-MM-DD>/` folder, in precedence order (night, then
        institution: `PartitionRef.precedence`)."""
        refs: list[PartitionRef] = []
        for inst in self.landed_institutions():
            for night_dir in sorted(self.institution_dir(inst).iterdir()):
                if (
                    night_dir.is_dir()
                    and NIGHT_FOLDER.fullmatch(night_dir.name)
                    and self._inside_landing(night_dir)
                ):
                    try:
                        night = date.fromisoformat(night_dir.name)
                    except ValueError:
                        continue
                    refs.append(PartitionRef(inst, night))
        return sorted(refs, key=PartitionRef.precedence)
