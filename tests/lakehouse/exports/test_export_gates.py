"""Every built dataset passes its exports gate, and no export file holds a pseudonym."""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from expectations.runner import validate
from expectations.suites import exports_suite
from expectations.suites.exports import EXPORT_SCHEMAS
from expectations.thresholds import ExportsThresholds
from lakehouse.exports import DATASETS, EXPORT_COLUMNS, build_release, release_dir


def test_columns_match_the_gate() -> None:
    assert {d: EXPORT_COLUMNS[d] for d in DATASETS} == EXPORT_SCHEMAS


@pytest.mark.parametrize("dataset", DATASETS)
def test_built_dataset_passes_its_gate(lake_home, dataset: str) -> None:
    home, refs = lake_home
    result = build_release(home, refs)
    frame = pl.read_parquet(release_dir(home, dataset, result.release_id) / "*.parquet")  # type: ignore[arg-type]
    assert frame.height > 0
    gate = validate(
        frame=frame,
        suite=exports_suite(dataset=dataset, thresholds=ExportsThresholds()),  # type: ignore[arg-type]
    )
    assert gate.success, gate.failed_expectations


def test_no_pseudonym_in_any_export_file(lake_home) -> None:
    home, refs = lake_home
    build_release(home, refs)
    files = [p for p in home.exports.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        elif path.suffix == ".parquet":  # compressed pages: look at the values
            frame = pl.read_parquet(path)
            data = frame.with_columns(pl.col("metadata").struct.json_encode()).write_csv().encode()
        assert b"p_student" not in data and b"p_grader" not in data, path.name
