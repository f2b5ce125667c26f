"""Per-institution gate thresholds: typed defaults, overridable by a YAML file per institution.

`$LAKEHOUSE_HOME/config/quality/<institution_id>.yaml` holds only what differs from the defaults,
one section per gate, for example::

    bronze:
      max_quarantine_rate: 0.35   # this school's LMS exports many half-filled drafts
    curated:
      min_kept_fraction: 0.02
      sample_rows: 200000

A missing file means the defaults; an unreadable or invalid file is an error (a typo must not
silently loosen a gate).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lakehouse.home import LakehouseHome

DEFAULT_LANGUAGES: Final[tuple[str, ...]] = (
    "bn",
    "en",
    "gu",
    "hi",
    "hi-Latn",
    "kn",
    "ml",
    "mr",
    "pa",
    "ta",
    "te",
    "ur",
)
"""English, the Indian languages the filter chain keeps and romanised Hindi (`hi-Latn`): the same
set as `lakehouse.filters.language.DEFAULT_ALLOWED | {HINGLISH}` (a test keeps them equal)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sample_rows: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Validate the sampleable expectations on this many random rows when a partition is "
            "larger; PII, consent and uniqueness expectations always see every row. None: all rows."
        ),
    )


class BronzeThresholds(_Section):
    max_quarantine_rate: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="quarantined / landed must stay below this (a broken export, not a few typos).",
    )


class ConsentThresholds(_Section):
    """No tunable bound: one excluded student past the consent step fails the gate."""


class SilverThresholds(_Section):
    """No tunable bound: one residual identifier fails the gate."""


class CuratedThresholds(_Section):
    language_allow_list: tuple[str, ...] = Field(
        default=DEFAULT_LANGUAGES, description="`language_detected` values counted as expected."
    )
    max_other_language_share: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="Share of documents (with a detected language) outside the allow-list.",
    )
    min_kept_fraction: float = Field(default=0.05, ge=0.0, le=1.0)
    max_kept_fraction: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="Lower it to catch a chain that silently stopped filtering.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_kept_fraction > self.max_kept_fraction:
            raise ValueError("min_kept_fraction must not exceed max_kept_fraction")
        return self


class RewardThresholds(_Section):
    min_coverage: float = Field(
        default=0.99,
        ge=0.0,
        le=1.0,
        description="scored rows / scrubbed rows must reach this.",
    )


class ExportsThresholds(_Section):
    max_trivial_pair_share: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description=(
            "preference: pairs with a non-answer as chosen or rejected may be at most this share."
        ),
    )
    max_non_answer_share: float = Field(
        default=0.02,
        ge=0.0,
        le=1.0,
        description="sft and critique: rows whose response is a non-answer, at most this share.",
    )


class GateThresholds(BaseModel):
    """Every gate's thresholds for one institution; each section defaults independently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bronze: BronzeThresholds = BronzeThresholds()
    consent: ConsentThresholds = ConsentThresholds()
    silver: SilverThresholds = SilverThresholds()
    curated: CuratedThresholds = CuratedThresholds()
    reward: RewardThresholds = RewardThresholds()
    exports: ExportsThresholds = ExportsThresholds()


class ThresholdsFileError(ValueError):
    """A thresholds or override file that cannot be used; the message says which and why."""


def read_yaml_mapping(path: Path, *, what: str) -> dict[str, object]:
    """A YAML file whose top level is a mapping (an empty file is an empty mapping)."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ThresholdsFileError(f"cannot read the {what} file {path}: {exc}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ThresholdsFileError(f"the {what} file {path} must hold a mapping at the top level")
    return loaded


def load_thresholds(*, home: LakehouseHome, institution_id: str) -> GateThresholds:
    """The institution's thresholds: its YAML file over the defaults, or the defaults alone."""
    path = home.thresholds_yaml(institution_id)
    if not path.is_file():
        return GateThresholds()
    try:
        return GateThresholds.model_validate(read_yaml_mapping(path, what="quality thresholds"))
    except ValidationError as exc:
        raise ThresholdsFileError(f"invalid quality thresholds in {path}:\n{exc}") from exc
