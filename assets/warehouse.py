"""The analysts' warehouse: every dbt model of `dbt_project/` as a Dagster asset.

The dbt sources are the lake tables, mapped to the assets that write them, so the lineage from
landing to marts is one graph in the UI. A materialisation runs `dbt build` (models and tests)
into a fresh DuckDB file and publishes it atomically (`lakehouse.warehouse`), inside the
`duckdb_writer` pool so only one process writes a warehouse at a time. The models are not
partitioned: each build is a full rebuild from the lake (see `lakehouse/warehouse.py` for why).
"""

from collections.abc import Iterator, Mapping
from typing import Any, Final

from dagster import AssetExecutionContext, AssetKey, AssetSpec
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from assets.resources import LakehouseResource
from lakehouse.exports import CONTRIBUTIONS_TABLE
from lakehouse.stages.exports import CONTRIBUTIONS_ASSET
from lakehouse.tables import (
    CLUSTERS_TABLE,
    COUNTS_TABLE,
    CURATED_TABLE,
    FUNNEL_TABLE,
    LEDGER_TABLE,
    QUARANTINE_TABLE,
    RAW_TABLE,
    REWARD_TABLE,
    SCRUBBED_TABLE,
)
from lakehouse.warehouse import (
    DBT_PROJECT_DIR,
    WarehouseBuildError,
    dbt_executable,
    prepare_manifest,
    run_results,
    warehouse_build,
)

WAREHOUSE_POOL: Final = "duckdb_writer"
WAREHOUSE_GROUP: Final = "warehouse"
WAREHOUSE_KEY_PREFIX: Final = "warehouse"

SOURCE_ASSETS: Final[Mapping[str, str]] = {
    QUARANTINE_TABLE: RAW_TABLE,
    SCRUBBED_TABLE: SCRUBBED_TABLE,
    CURATED_TABLE: CURATED_TABLE,
    FUNNEL_TABLE: CURATED_TABLE,
    CLUSTERS_TABLE: CURATED_TABLE,
    COUNTS_TABLE: LEDGER_TABLE,
    LEDGER_TABLE: LEDGER_TABLE,
    REWARD_TABLE: REWARD_TABLE,
    CONTRIBUTIONS_TABLE: CONTRIBUTIONS_ASSET,
}
"""dbt source table (lake table) -> the Dagster asset that writes it."""


class LakehouseDbtTranslator(DagsterDbtTranslator):
    """Sources become the upstream lake assets; models live under `warehouse/` in one group."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            meta = props.get("meta") or {}
            upstream = SOURCE_ASSETS.get(props["name"]) or meta.get("dagster_upstream_asset")
            return spec.replace_attributes(key=AssetKey(upstream)) if upstream else spec
        return spec.replace_attributes(
            key=AssetKey([WAREHOUSE_KEY_PREFIX, props["name"]]), group_name=WAREHOUSE_GROUP
        )


DBT_PROJECT: Final = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
TRANSLATOR: Final = LakehouseDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
)


@dbt_assets(
    manifest=prepare_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="warehouse_models",
    pool=WAREHOUSE_POOL,
)
def warehouse_models(context: AssetExecutionContext, lakehouse: LakehouseResource) -> Iterator[Any]:
    """`dbt build` into a fresh file, published atomically once every model and test passed.

    Events are yielded after the publish, so Dagster records materialisations only of a warehouse
    that analysts can actually see. A build of a subset of the models starts from a copy of the
    published file so the other models survive.
    """
    dbt = DbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )
    with warehouse_build(lakehouse.lake_home(), start_from_current=context.is_subset) as build:
        invocation = dbt.cli(
            build.dbt_args("build"),
            context=context,
            target_path=build.target_path,
            raise_on_error=False,
        )
        events = list(invocation.stream())
        if not invocation.is_successful():
            _, _, failed = run_results(build.target_path)
            raise WarehouseBuildError(
                f"dbt build failed (failed: {', '.join(failed) or 'before any node ran'}); "
                "the published warehouse is unchanged"
            )
    yield from events
