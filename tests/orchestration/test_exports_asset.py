"""The exports in Dagster: one asset per dataset with release metadata and a passing exports gate;
a dataset that breaks its gate is blocked before publishing while the others are released."""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
import pytest
from dagster import DagsterInstance, materialize

import lakehouse.exports.release as release_module
from assets.exports import training_exports
from assets.resources import LakehouseResource
from lakehouse.exports import DATASETS, latest_release
from lakehouse.exports.scope import PARTITION_GATES
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition
from tests.lakehouse.exports.conftest import curated, sample_answers, write_lake
from tests.lakehouse.exports.test_export_scope import _verdict


@pytest.fixture
def passed_home(home: LakehouseHome) -> tuple[LakehouseHome, list[PartitionRef]]:
    frame = sample_answers()
    refs = write_lake(home, frame, curated_frame=curated(frame))
    for ref in refs:
        home.night_dir(ref).mkdir(parents=True)
        write_partition(home, "gold", "partition_ledger", ref, pl.DataFrame({"x": [1]}))
        for gate in PARTITION_GATES:
            _verdict(home, ref, gate, ok=True)
    return home, refs


def _materialise(home: LakehouseHome) -> Any:
    return materialize(
        [training_exports],
        instance=DagsterInstance.ephemeral(),
        resources={"lakehouse": LakehouseResource(home=str(home.root))},
        raise_on_error=False,
    )


def test_every_dataset_is_released_with_metadata_and_a_passing_gate(passed_home) -> None:
    home, refs = passed_home
    result = _materialise(home)
    assert result.success
    meta = {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert set(meta) == {f"{d}_export" for d in DATASETS} | {"export_contributions"}
    release = meta["sft_export"]["release_id"].value
    for dataset in DATASETS:
        assert meta[f"{dataset}_export"]["partitions"].value == len(refs)
        assert latest_release(home, dataset) == release
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {f"exports_{d}": True for d in DATASETS}
    quality = pl.read_parquet(home.lake / "gold" / "export_quality" / "*" / "*.parquet")
    assert set(quality["dataset"]) == set(DATASETS) and quality["success"].all()


def test_a_dataset_that_breaks_its_gate_is_not_published(passed_home, monkeypatch) -> None:
    home, _ = passed_home
    assert _materialise(home).success
    before = latest_release(home, "sft")
    build = release_module.build_datasets

    def blank_sft_prompts(inputs: Any, config: Any) -> Any:
        built = build(inputs, config)
        sft = built["sft"]
        broken = sft.frame.with_columns(pl.lit(" ").alias("prompt"))
        return {**built, "sft": dataclasses.replace(sft, frame=broken)}

    monkeypatch.setattr(release_module, "build_datasets", blank_sft_prompts)
    write_partition(  # new data, so a new release id
        home,
        "silver",
        "curated_documents",
        passed_home[1][0],
        curated(sample_answers()).filter(pl.col("night") == passed_home[1][0].night).head(3),
    )
    result = _materialise(home)
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["exports_sft"].passed is False
    assert "not_empty:prompt" in checks["exports_sft"].metadata["failed_expectations"].value
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "sft_export" not in materialised and "critique_export" in materialised
    assert latest_release(home, "sft") == before
    assert latest_release(home, "critique") != before


def test_the_run_config_is_a_view_of_export_config_with_its_defaults() -> None:
    from assets.exports_config import ExportsRunConfig
    from lakehouse.exports import ExportConfig

    assert set(ExportsRunConfig.model_fields) <= {f.name for f in dataclasses.fields(ExportConfig)}
    assert ExportsRunConfig().export_config() == ExportConfig()
    changed = ExportsRunConfig(shard_max_rows=7, sft_min_grade_fraction=0.5).export_config()
    assert (changed.shard_max_rows, changed.sft_min_grade_fraction) == (7, 0.5)
