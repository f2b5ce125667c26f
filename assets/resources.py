"""Resources: where the lakehouse lives and how heavy steps may be, configured per deployment."""

from __future__ import annotations

import os
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from lakehouse.access import secure_home
from lakehouse.home import LakehouseHome


class LakehouseResource(ConfigurableResource):
    """The lakehouse home and the knobs of ingestion.

    `home` defaults to `$LAKEHOUSE_HOME` (else `./lakehouse_home`) when the definitions load.
    """

    home: str = Field(
        default_factory=lambda: os.environ.get("LAKEHOUSE_HOME", "lakehouse_home"),
        description="Folder holding landing/, lake/, warehouse.duckdb and exports/.",
    )
    ingest_chunk_mb: int = Field(
        default=32, ge=1, description="JSONL bytes parsed per chunk; bounds ingestion memory."
    )
    ray_scrub_min_rows: int = Field(
        default=50_000,
        ge=1,
        description="Partitions with at least this many consented rows are scrubbed on Ray.",
    )
    filter_history_nights: int = Field(
        default=7,
        ge=1,
        description="Nights before the curated one whose answers train its filter models.",
    )
    reward_model_path: str | None = Field(
        default=None,
        description=(
            "A reward model folder to score every night with (a Hugging Face "
            "sequence-classification model, e.g. the production RM on the GPU cluster, or a saved "
            "grade predictor). Unset: the pipeline trains its grade predictor per night."
        ),
    )
    reward_history_nights: int = Field(
        default=28,
        ge=1,
        description="Nights before the scored one whose graded answers train its reward model.",
    )
    reward_max_training_rows: int = Field(
        default=5000,
        ge=1,
        description=(
            "Graded answers (a fixed hash sample of the window) that train a night's model: "
            "bounds training cost however much history there is."
        ),
    )
    ray_score_min_rows: int = Field(
        default=2000,
        ge=0,
        description=(
            "Nights with at least this many answers are scored by the Ray job; smaller ones in "
            "process (Ray Data's fixed ~3.5 s would dominate). 0: always Ray."
        ),
    )
    reward_device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", description="Where the reward model runs: auto uses GPUs when present."
    )
    ray_num_cpus: int | None = Field(
        default=None,
        ge=1,
        description="CPUs of a local Ray started by a job (ignored when RAY_ADDRESS is set).",
    )
    sensor_lookback_days: int = Field(
        default=14, ge=1, description="How far back the landing sensor looks for late nights."
    )
    sensor_settle_seconds: int = Field(
        default=60, ge=0, description="Quiet time before a landing folder counts as complete."
    )

    def lake_home(self) -> LakehouseHome:
        """The home, made private to this account but for the analysts' outputs (`access`)."""
        home = LakehouseHome.from_env(self.home)
        secure_home(home)
        return home
