"""`curated_documents` over generated nights: the funnel reconciles with the ledger, a re-run is
identical and never its own duplicate, models are trained only on earlier nights."""

from __future__ import annotations

import polars as pl
import pytest

from lakehouse.curate_stage import CURATED_TABLE, curate_partition, model_dir_for
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from lakehouse.pseudonym import load_key


@pytest.fixture
def curated(pipeline_home: LakehouseHome) -> LakehouseHome:
    return pipeline_home


def test_funnel_reconciles_with_the_ledger(curated: LakehouseHome) -> None:
    for ref in curated.landed_partitions():
        ledger = read_partition(curated, "gold", "partition_ledger", ref).row(0, named=True)
        funnel = read_partition(curated, "gold", "filter_funnel", ref)
        docs = read_partition(curated, "silver", CURATED_TABLE, ref)
        assert ledger["reconciles"] is True
        assert ledger["scrubbed"] == docs.height == funnel["docs_in"][0]
        assert ledger["kept"] == funnel["docs_out"][-1] == docs["kept"].sum()
        assert ledger["dropped"] == funnel["dropped"].sum()
        assert (docs["drop_reason"].is_null() == docs["kept"]).all()


def test_first_night_has_no_models_and_later_nights_train_on_earlier_ones(
    curated: LakehouseHome,
) -> None:
    first, second = sorted({r.night for r in curated.landed_partitions()})
    refs = {r.night: r for r in curated.landed_partitions() if r.institution_id == "inst_000"}
    assert not model_dir_for(curated, refs[first]).exists()
    assert model_dir_for(curated, refs[second]).is_dir()
    docs = read_partition(curated, "silver", CURATED_TABLE, refs[second])
    assert docs["quality_judged"].any()


def test_rerunning_a_night_gives_the_same_documents(curated: LakehouseHome) -> None:
    ref = curated.landed_partitions()[0]
    before = read_partition(curated, "silver", CURATED_TABLE, ref)
    curate_partition(home=curated, ref=ref, key=load_key())
    after = read_partition(curated, "silver", CURATED_TABLE, ref)
    assert before.sort("submission_id").equals(after.sort("submission_id"))
    own = after.filter(
        pl.col("exact_dedup_duplicate_of").is_in(after["submission_id"].implode())
        & (pl.col("exact_dedup_duplicate_of") == pl.col("submission_id"))
    )
    assert own.is_empty()
