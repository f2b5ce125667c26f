"""Every built dataset passes its exports gate, and no export file holds a pseudonym."""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from expectations.runner import validate
from expectations.suites import exports_suite
from expectations.suites.exports import EXPORT_SCHEMAS, export_metrics, validate_export
from expectations.thresholds import ExportsThresholds
from lakehouse.exports import (
    DATASETS,
    EXPORT_COLUMNS,
    ExportConfig,
    answer_pool,
    build_release,
    preference_frame,
    release_dir,
    sft_frame,
)
from tests.lakehouse.exports.conftest import answer, curated, silver


def test_columns_match_the_gate() -> None:
    assert {d: EXPORT_COLUMNS[d] for d in DATASETS} == EXPORT_SCHEMAS


@pytest.mark.parametrize("dataset", DATASETS)
def test_built_dataset_passes_its_gate(lake_home, dataset: str) -> None:
    home, refs = lake_home
    result = build_release(home, refs)
    frame = pl.read_parquet(release_dir(home, dataset, result.release_id) / "*.parquet")  # type: ignore[arg-type]
    assert frame.height > 0
    gate = validate_export(
        dataset=dataset,  # type: ignore[arg-type]
        frame=frame,
        thresholds=ExportsThresholds(),
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


def _pool_with_non_answers():
    rows = []
    for q in range(5):
        texts = [
            f"A full answer {q} about TCP flow control.",
            f"An answer {q} about TCP windows.",
            f"A partial answer {q} on ACKs.",
            f"A weak answer {q} on ports.",
            "No response.",
        ]
        rows += [
            answer(10 * q + i, question_id=f"Q{q}", grade=g, answer_text=t)
            for i, (g, t) in enumerate(zip([10.0, 9.0, 5.0, 4.0, 0.0], texts, strict=True))
        ]
    frame = silver(rows)
    return answer_pool(frame, curated=curated(frame))


def test_gate_fails_a_preference_release_with_too_many_trivial_pairs() -> None:
    pool = _pool_with_non_answers()
    loose = ExportConfig(preference_max_pairs_per_answer=3, preference_max_non_answer_share=0.3)
    trivial = preference_frame(pool, loose).frame
    metrics = export_metrics(dataset="preference", frame=trivial)
    assert 0.02 < metrics["trivial_share"] <= 0.3
    result = validate_export(dataset="preference", frame=trivial, thresholds=ExportsThresholds())
    assert result.failed_expectations == ("trivial_share_within_bound",)
    # an institution's operators may accept more, explicitly
    lenient = ExportsThresholds(max_trivial_pair_share=0.5)
    assert validate_export(dataset="preference", frame=trivial, thresholds=lenient).success
    strict = preference_frame(pool, ExportConfig(preference_max_pairs_per_answer=3)).frame
    assert validate_export(
        dataset="preference", frame=strict, thresholds=ExportsThresholds()
    ).success


def test_gate_fails_sft_full_of_non_answers() -> None:
    pool = _pool_with_non_answers()
    good = sft_frame(pool, ExportConfig(sft_min_grade_fraction=0.0)).frame
    assert validate_export(dataset="sft", frame=good, thresholds=ExportsThresholds()).success
    bad = good.with_columns(response=pl.lit("I don't know"))
    result = validate_export(dataset="sft", frame=bad, thresholds=ExportsThresholds())
    assert result.failed_expectations == ("trivial_share_within_bound",)
    # the suite alone cannot be run without the metric: a caller that forgets it is told
    with pytest.raises(ValueError, match="trivial_share"):
        validate(frame=bad, suite=exports_suite(dataset="sft", thresholds=ExportsThresholds()))
