"""Gate results as Dagster check specs and results, including inside a materialisation."""

from __future__ import annotations

import dagster as dg

from expectations.dagster_checks import examples_markdown, gate_check_result, gate_check_specs
from expectations.runner import validate
from expectations.suites import bronze_suite
from expectations.thresholds import BronzeThresholds
from tests.expectations.gate_frames import bronze_frame


def _result(rate: float):
    """A bronze result: `rate` above the 0.2 bound also breaks one grade (row 2)."""
    grade = bronze_frame()["grade"]
    frame = bronze_frame().with_columns(grade=grade.scatter(2, 42.0) if rate > 0.2 else grade)
    return validate(
        frame=frame,
        suite=bronze_suite(thresholds=BronzeThresholds()),
        metrics={"quarantine_rate": rate},
    )


def test_specs_are_blocking_and_named_by_gate() -> None:
    specs = gate_check_specs(asset_key="raw_submissions", gates=["bronze", "exports_sft"])
    assert [s.name for s in specs] == ["bronze", "exports_sft"]
    assert all(s.blocking for s in specs)
    assert specs[0].asset_key == dg.AssetKey("raw_submissions")
    assert "quarantine" in (specs[0].description or "")


def test_failed_gate_becomes_an_error_check_with_reasons() -> None:
    result = _result(0.5)
    check = gate_check_result(result=result)
    assert check.check_name == "bronze" and not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    failed = check.metadata["failed_expectations"].value
    assert set(failed) == {"grade_at_most_max_grade", "quarantine_rate_below_bound"}
    assert check.metadata["observed_values"].value["quarantine_rate_below_bound"] == "0.5"
    table = check.metadata["example_rows"].value
    assert "sub-000002" in table and "source_line" in table and "answer_text" not in table
    assert examples_markdown(_result(0.0)) == "(no example rows)"


def test_blocking_gate_stops_downstream_in_a_materialisation() -> None:
    @dg.asset(check_specs=gate_check_specs(asset_key="upstream", gates=["bronze"]))
    def upstream():
        yield dg.MaterializeResult()
        yield gate_check_result(result=_result(0.5))

    @dg.asset(deps=[upstream])
    def downstream() -> None:
        raise AssertionError("must not run")

    outcome = dg.materialize([upstream, downstream], raise_on_error=False)
    evaluations = outcome.get_asset_check_evaluations()
    assert [(e.check_name, e.passed) for e in evaluations] == [("bronze", False)]
    materialized = {e.asset_key for e in outcome.get_asset_materialization_events()}
    assert dg.AssetKey("downstream") not in materialized
