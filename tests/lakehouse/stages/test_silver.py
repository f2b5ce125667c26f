"""The silver layer on generated homes: no planted identifier survives, ids are pseudonyms."""

from __future__ import annotations

import polars as pl
import pytest

from lakehouse.generate import truth_root
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from lakehouse.stages.silver import SILVER_SCHEMA
from lakehouse.tables import SCRUBBED_TABLE


@pytest.fixture
def silver(pipeline_home: LakehouseHome) -> LakehouseHome:
    return pipeline_home


def test_no_planted_identifier_appears_in_any_silver_file(silver: LakehouseHome) -> None:
    planted = pl.concat(
        pl.read_parquet(p) for p in truth_root(silver.root).glob("*/*/planted_pii.parquet")
    )
    assert set(planted["entity_type"]) >= {
        "PERSON",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "IN_AADHAAR",
        "IN_PAN",
        "ROLL_NUMBER",
    }
    files = sorted(silver.table_dir("silver", SCRUBBED_TABLE).glob("*/*/*.parquet"))
    assert files
    text = (
        pl.concat(pl.read_parquet(f) for f in files)
        .select(pl.concat_str(pl.all().cast(pl.String).fill_null(""), separator="\u241f"))
        .to_series()
    )
    values = planted["value"].unique().to_list()
    leaked = text.str.contains_any(values).sum()
    assert leaked == 0


def test_raw_ids_never_reach_silver(silver: LakehouseHome) -> None:
    for ref in silver.landed_partitions():
        bronze = read_partition(silver, "bronze", "consented_submissions", ref)
        scrubbed = read_partition(silver, "silver", SCRUBBED_TABLE, ref)
        assert scrubbed.schema == pl.Schema(SILVER_SCHEMA)
        assert scrubbed.height == bronze.height
        raw_ids = set(bronze["student_id"]) | set(bronze["grader_id"].drop_nulls())
        assert not raw_ids & set(scrubbed["student_pseudonym"])
        assert scrubbed["student_pseudonym"].str.starts_with("p_").all()
        # the same student keeps the same pseudonym across nights
        assert scrubbed["student_pseudonym"].n_unique() == bronze["student_id"].n_unique()
