"""What every asset does after calling its stage: turn the stage's plain metadata into Dagster's,
and run a Great Expectations gate (validate, honour an acknowledged override, record the results in
the lake, return the blocking asset check result)."""

from collections.abc import Mapping
from pathlib import Path

import polars as pl
from dagster import AssetCheckResult, MaterializeResult, MetadataValue
from great_expectations.core import ExpectationSuite

from expectations.dagster_checks import gate_check_result
from expectations.overrides import apply_override
from expectations.results import write_gate_results
from expectations.runner import validate
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.markdown import Markdown


def run_gate(
    *,
    home: LakehouseHome,
    ref: PartitionRef,
    suite: ExpectationSuite,
    frame: pl.DataFrame,
    metrics: dict[str, float] | None = None,
) -> AssetCheckResult:
    result = validate(frame=frame, suite=suite, metrics=metrics)
    result = apply_override(result=result, home=home, ref=ref)
    write_gate_results(home=home, ref=ref, result=result)
    return gate_check_result(result=result)


def materialized(
    metadata: Mapping[str, object], *, asset_key: str | None = None
) -> MaterializeResult:
    """A `MaterializeResult` of a stage's plain metadata: `Markdown` shows as Markdown, a `Path`
    as a path, dicts and lists as JSON, numbers and text as themselves."""

    def value(v: object) -> object:
        if isinstance(v, Markdown):
            return MetadataValue.md(str(v))
        if isinstance(v, Path):
            return MetadataValue.path(str(v))
        if isinstance(v, dict | list):
            return MetadataValue.json(v)
        return v

    return MaterializeResult(
        asset_key=asset_key,
        metadata={k: value(v) for k, v in metadata.items()},  # type: ignore[misc]
    )
