"""Per-institution operator settings: `$LAKEHOUSE_HOME/config/institutions/<institution>.yaml`.

Only what differs from the defaults needs to be written, e.g.

    roll_number_patterns: ["1MS\\d{2}[A-Z]{2}\\d{3}"]
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lakehouse.home import LakehouseHome


class InstitutionConfigError(ValueError):
    """An institution settings file that cannot be used; the message names it and why."""


class InstitutionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    roll_number_patterns: tuple[str, ...] | None = Field(
        default=None,
        description="Regexes of the institution's roll numbers / USNs (default: the VTU USN).",
    )
    non_answer_phrases: tuple[str, ...] = Field(
        default=(),
        description="The institution's own non-answer placeholders, added to the chain's lists.",
    )
    non_answer_allowed_phrases: tuple[str, ...] = Field(
        default=(),
        description="Phrases that are real answers in its courses (e.g. 'Na' in chemistry).",
    )
    landing_retention_days: int = Field(
        default=180,
        ge=1,
        description=(
            "Days a landed night folder is kept (counted from the night) before the retention "
            "job deletes it; the lake's bronze then holds the only copy and the night can no "
            "longer be re-run from landing."
        ),
    )
    quarantine_retention_days: int = Field(
        default=90,
        ge=1,
        description=(
            "Days a quarantined record keeps its raw content (`raw_record`) for repair and "
            "replay; after that the retention job blanks it (the row, its reason and counts stay)."
        ),
    )
    copy_detection_includes_minors: bool = Field(
        default=False,
        description=(
            "Opt in to copy detection for minors: by default a minor's answers are left out of "
            "copy clusters (they are still deduplicated for pretraining)."
        ),
    )
    pooled_reward_model: bool = Field(
        default=False,
        description=(
            "Opt in to the pooled reward model (cross-institution use, off by default): this "
            "institution's graded answers may train the model that opted-in institutions borrow "
            "while they have too few grades of their own, and it may borrow that model itself."
        ),
    )


def institution_config_path(home: LakehouseHome, institution_id: str) -> Path:
    return home.root / "config" / "institutions" / f"{institution_id}.yaml"


def load_institution_config(home: LakehouseHome, institution_id: str) -> InstitutionConfig:
    path = institution_config_path(home, institution_id)
    if not path.exists():
        return InstitutionConfig()
    try:
        return InstitutionConfig.model_validate(yaml.safe_load(path.read_text()) or {})
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise InstitutionConfigError(f"institution settings {path} are invalid: {exc}") from exc


def write_institution_config(
    home: LakehouseHome, institution_id: str, config: InstitutionConfig
) -> Path:
    path = institution_config_path(home, institution_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config.model_dump(exclude_none=True, mode="json")))
    return path
