"""The Dagster side: dbt models are assets under `warehouse/`, wired to the lake assets that
write their sources, in the `duckdb_writer` pool; materialising them builds and publishes the
warehouse; the manifest is prepared from a fresh clone (no target/)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, materialize

from assets.resources import LakehouseResource
from assets.warehouse import WAREHOUSE_POOL, warehouse_models
from lakehouse.home import LakehouseHome
from lakehouse.warehouse import build_path, prepare_manifest


def _deps() -> dict[str, set[str]]:
    return {
        spec.key.to_user_string(): {d.asset_key.to_user_string() for d in spec.deps}
        for spec in warehouse_models.specs
    }


def test_models_are_assets_wired_to_the_lake_assets() -> None:
    deps = _deps()
    assert deps["warehouse/fct_documents"] == {
        "scrubbed_submissions",
        "curated_documents",
        "reward_scores",
    }
    assert deps["warehouse/fct_quarantine"] == {"raw_submissions"}
    assert deps["warehouse/mart_partition_ledger"] == {"partition_ledger"}
    assert deps["warehouse/mart_contributor_ledger"] == {"export_contributions"}
    assert deps["warehouse/mart_reward_calibration"] == {"warehouse/fct_documents"}
    assert AssetKey(["warehouse", "mart_filter_funnel"]) in warehouse_models.keys
    # staging and intermediate models are ephemeral: inlined, not assets of their own
    assert not [k for k in deps if "/stg_" in k or "/int_" in k]
    assert {warehouse_models.get_asset_spec(k).group_name for k in warehouse_models.keys} == {
        "warehouse"
    }
    assert warehouse_models.op.pool == WAREHOUSE_POOL
    # dbt tests become asset checks (the ledger's `reconciles` among them)
    checks = {c.name for c in warehouse_models.check_specs}
    assert any("reconciles" in name for name in checks)


def test_manifest_is_prepared_when_target_is_missing(tmp_path: Path) -> None:
    manifest = prepare_manifest(tmp_path / "target")
    nodes = json.loads(manifest.read_text())["nodes"]
    assert "model.homework_lakehouse.fct_documents" in nodes
    assert prepare_manifest(tmp_path / "target") == manifest  # fresh: not parsed again


@pytest.mark.slow
def test_materialising_the_models_builds_and_publishes_the_warehouse(
    home_copy: LakehouseHome,
) -> None:
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [warehouse_models],
            instance=instance,
            resources={"lakehouse": LakehouseResource(home=str(home_copy.root))},
            raise_on_error=False,
        )
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "warehouse/mart_partition_ledger" in materialized
    assert len(materialized) == 9
    assert all(c.passed for c in result.get_asset_check_evaluations())
    assert not build_path(home_copy).exists()
    with duckdb.connect(str(home_copy.warehouse), read_only=True) as con:
        assert con.execute("select bool_and(reconciles) from mart_partition_ledger").fetchone() == (
            True,
        )


@pytest.mark.slow
def test_materialising_a_subset_keeps_the_other_models(home_copy: LakehouseHome) -> None:
    resources = {"lakehouse": LakehouseResource(home=str(home_copy.root))}
    with DagsterInstance.ephemeral() as instance:
        assert materialize([warehouse_models], instance=instance, resources=resources).success
        before = home_copy.warehouse.stat().st_ino
        result = materialize(
            [warehouse_models],
            selection=[AssetKey(["warehouse", "mart_filter_funnel"])],
            instance=instance,
            resources=resources,
        )
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {
        AssetKey(["warehouse", "mart_filter_funnel"])
    }
    assert home_copy.warehouse.stat().st_ino != before  # a new file was published
    with duckdb.connect(str(home_copy.warehouse), read_only=True) as con:
        tables = con.execute("select count(*) from information_schema.tables").fetchone()
        assert tables == (9,)
        assert con.execute("select count(*) from fct_documents").fetchone() != (0,)
