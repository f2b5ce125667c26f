"""Running a Great Expectations gate inside an asset: validate, honour an acknowledged override,
record the results in the lake, and return the (blocking) asset check result."""

import polars as pl
from dagster import AssetCheckResult
from great_expectations.core import ExpectationSuite

from expectations.dagster_checks import gate_check_result
from expectations.overrides import apply_override
from expectations.results import write_gate_results
from expectations.runner import validate
from lakehouse.home import LakehouseHome, PartitionRef


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
