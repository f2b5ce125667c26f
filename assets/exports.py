"""Gold: the training-data exports (pretrain, sft, preference, reward, critique), one release over
every partition that passed all its gates, each dataset behind its own exports gate."""

from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from assets.curated import curated_documents
from assets.exports_config import ExportsRunConfig
from assets.gates import materialized
from assets.resources import LakehouseResource
from assets.reward import reward_scores
from assets.silver import scrubbed_submissions
from expectations.dagster_checks import gate_check_result, not_evaluated
from expectations.suites.exports import ExportGates, gate_name
from expectations.thresholds import GateThresholds
from lakehouse.exports import DATASETS
from lakehouse.stages.exports import (
    CONTRIBUTIONS_ASSET,
    EXPORT_ASSETS,
    NOTHING_PASSED,
    exports_release,
)


@multi_asset(
    specs=[
        AssetSpec(
            name,
            group_name="exports",
            deps=[scrubbed_submissions, curated_documents, reward_scores],
            kinds={"parquet"},
            skippable=True,
            description=(
                f"The `{dataset}` training dataset (CONTRACT.md): a release over every partition "
                "that passed all its gates, Parquet shards and a DATASET_CARD.md under "
                f"exports/{dataset}/release=<id>/, exports/{dataset}/LATEST naming the newest."
            ),
        )
        for dataset, name in EXPORT_ASSETS.items()
    ]
    + [
        AssetSpec(
            CONTRIBUTIONS_ASSET,
            group_name="exports",
            deps=[scrubbed_submissions],
            kinds={"parquet"},
            skippable=True,
            description=(
                "Per pseudonymous student, the answers and tokens that reached each dataset's "
                "latest release (lake/gold/export_contributions/dataset=<d>/), so institutions "
                "can compensate students; it feeds the warehouse's mart_contributor_ledger."
            ),
        )
    ],
    check_specs=[
        AssetCheckSpec(
            gate_name(dataset),
            asset=name,
            description=(
                "Exact schema, no empty prompt/response, preference pairs ordered, at most a "
                "bounded share of trivial rows (non-answers). Evaluated "
                "before anything is written: a failing dataset is not published (its LATEST "
                "stays), while the other datasets and the warehouse still are."
            ),
        )
        for dataset, name in EXPORT_ASSETS.items()
    ],
)
def training_exports(
    context: AssetExecutionContext, config: ExportsRunConfig, lakehouse: LakehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    home = lakehouse.lake_home()
    gates = ExportGates(GateThresholds().exports)
    outcome = exports_release(home=home, config=config.export_config(), gate=gates)
    for ref, why in outcome.scope.excluded.items():
        context.log.warning(f"{ref} left out of the release: {why}")
    if outcome.release is None:
        context.log.warning(f"{NOTHING_PASSED}: no release is built (the warehouse still is)")
    else:
        gates.record(home=home, release_id=outcome.release.release_id)
    for dataset, metadata in outcome.dataset_metadata().items():
        yield materialized(metadata, asset_key=EXPORT_ASSETS[dataset])
    yield materialized(outcome.contributions_metadata(), asset_key=CONTRIBUTIONS_ASSET)
    for dataset, result in gates.verdicts.items():
        yield gate_check_result(result=result, asset_key=EXPORT_ASSETS[dataset])
    why = "not configured for this release" if outcome.release else NOTHING_PASSED
    for dataset in sorted(set(DATASETS) - set(gates.verdicts)):
        yield not_evaluated(
            EXPORT_ASSETS[dataset], gate_name(dataset), f"no {dataset} release was built ({why})"
        )
    context.log.info(outcome.summary())
