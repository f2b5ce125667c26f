"""Per-institution thresholds, overrides with their audit rows, and results in the lake."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import polars as pl
import pytest

from expectations.overrides import AUDIT_SCHEMA, apply_override
from expectations.results import RESULTS_SCHEMA, results_table, write_gate_results
from expectations.runner import validate
from expectations.suites import bronze_suite
from expectations.thresholds import (
    DEFAULT_LANGUAGES,
    GateThresholds,
    ThresholdsFileError,
    load_thresholds,
)
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from tests.expectations.gate_frames import REF, bronze_frame


def _write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _failing_bronze(home: LakehouseHome):
    thresholds = load_thresholds(home=home, institution_id=REF.institution_id)
    return validate(
        frame=bronze_frame(),
        suite=bronze_suite(thresholds=thresholds.bronze),
        metrics={"quarantine_rate": 0.25},
    )


def test_defaults_without_a_file(home: LakehouseHome) -> None:
    thresholds = load_thresholds(home=home, institution_id=REF.institution_id)
    assert thresholds == GateThresholds()
    assert thresholds.bronze.max_quarantine_rate == 0.2


def test_thresholds_loaded_per_institution(home: LakehouseHome) -> None:
    _write(
        home.thresholds_yaml(REF.institution_id),
        "bronze:\n  max_quarantine_rate: 0.3\ncurated:\n  min_kept_fraction: 0.5\n",
    )
    mine = load_thresholds(home=home, institution_id=REF.institution_id)
    other = load_thresholds(home=home, institution_id="other_inst")
    assert mine.bronze.max_quarantine_rate == 0.3
    assert mine.curated.min_kept_fraction == 0.5
    assert mine.curated.max_kept_fraction == 1.0  # untouched defaults stay
    assert other == GateThresholds()
    # the looser bound lets the same partition pass
    assert _failing_bronze(home).success


@pytest.mark.parametrize(
    "text",
    [
        "bronze:\n  max_quarantine_rate: 2\n",
        "bronz:\n  x: 1\n",
        "- a\n",
        "curated: {min_kept_fraction: 0.9, max_kept_fraction: 0.1}",
    ],
)
def test_invalid_thresholds_file_is_an_error(home: LakehouseHome, text: str) -> None:
    _write(home.thresholds_yaml(REF.institution_id), text)
    with pytest.raises(ThresholdsFileError):
        load_thresholds(home=home, institution_id=REF.institution_id)


def test_default_languages_match_the_filter_chain() -> None:
    from lakehouse.filters.language import DEFAULT_ALLOWED, HINGLISH

    assert set(DEFAULT_LANGUAGES) == DEFAULT_ALLOWED | {HINGLISH}


def test_override_turns_failure_into_overridden_pass_and_audits(home: LakehouseHome) -> None:
    result = _failing_bronze(home)
    assert not result.passed
    assert apply_override(result=result, home=home, ref=REF) is result  # no file: unchanged
    _write(
        home.override_yaml("bronze", REF),
        "acknowledged_by: asha.rao\nreason: LMS exported drafts twice (ticket 4711)\n"
        f"expires: {(REF.night + timedelta(days=30)).isoformat()}\n",
    )
    overridden = apply_override(result=result, home=home, ref=REF, today=REF.night)
    assert overridden.passed and overridden.overridden and not overridden.success
    assert overridden.failed_expectations == ("quarantine_rate_below_bound",)
    assert overridden.override is not None and overridden.override.acknowledged_by == "asha.rao"
    files = sorted(home.audit.glob("*.parquet"))
    assert len(files) == 1
    audit = pl.read_parquet(files[0])
    assert audit.schema == pl.Schema(AUDIT_SCHEMA)
    row = audit.row(0, named=True)
    assert row["event"] == "quality_gate_override"
    assert (row["gate"], row["institution_id"], row["night"]) == (
        "bronze",
        REF.institution_id,
        REF.night,
    )
    assert row["reason"] == "LMS exported drafts twice (ticket 4711)"
    apply_override(result=result, home=home, ref=REF, today=REF.night)
    assert len(list(home.audit.glob("*.parquet"))) == 2  # append-only: one file per event


def test_expired_or_unneeded_override_changes_nothing(home: LakehouseHome) -> None:
    result = _failing_bronze(home)
    _write(
        home.override_yaml("bronze", REF),
        "acknowledged_by: asha.rao\nreason: known\nexpires: 2026-01-01\n",
    )
    expired = apply_override(result=result, home=home, ref=REF, today=date(2026, 1, 2))
    assert not expired.passed and expired.notes
    assert not home.audit.exists()


def test_invalid_override_is_an_error(home: LakehouseHome) -> None:
    path = home.override_yaml("bronze", REF)
    for body in (
        "acknowledged_by: ' '\nreason: x\nexpires: 2026-01-20\n",
        "acknowledged_by: asha.rao\nreason: no expiry given\n",  # every override expires
        "acknowledged_by: asha.rao\nreason: for ever\nexpires: 2027-01-01\n",  # > 90 days
    ):
        _write(path, body)
        with pytest.raises(ThresholdsFileError):
            apply_override(result=_failing_bronze(home), home=home, ref=REF, today=REF.night)


@pytest.mark.parametrize("gate", ["consent", "silver"])
def test_privacy_gates_cannot_be_overridden(home: LakehouseHome, gate: str) -> None:
    """A YAML file let a partition that failed the consent or residual-PII gate flow into the
    exports (issue 16): those two gates ignore override files."""
    result = dataclasses.replace(_failing_bronze(home), gate=gate)
    _write(
        home.override_yaml(gate, REF),
        "acknowledged_by: asha.rao\nreason: please\nexpires: 2026-01-20\n",
    )
    judged = apply_override(result=result, home=home, ref=REF, today=REF.night)
    assert not judged.passed and not judged.overridden
    assert any("cannot be overridden" in note for note in judged.notes)
    assert not home.audit.exists()


def test_results_written_to_the_lake(home: LakehouseHome) -> None:
    result = _failing_bronze(home)
    folder = write_gate_results(home=home, ref=REF, result=result)
    assert folder == home.partition_dir("gold", "quality_results/gate=bronze", REF)
    assert results_table("bronze") == "quality_results/gate=bronze"
    frame = read_partition(home, "gold", results_table("bronze"), REF)
    assert frame.schema == pl.Schema(RESULTS_SCHEMA)
    assert frame.height == len(result.expectations)
    failed = frame.filter(~pl.col("success"))
    assert failed["expectation"].to_list() == ["quarantine_rate_below_bound"]
    assert failed["observed_value"].to_list() == ["0.25"]
    assert not frame["overridden"].any()
    # a re-run replaces the partition; another gate's results live beside it
    write_gate_results(home=home, ref=REF, result=result)
    glob = home.lake / "gold" / "quality_results" / "gate=*" / "institution=*" / "night=*"
    assert len(list(home.root.glob(str(glob.relative_to(home.root)) + "/*.parquet"))) == 1
