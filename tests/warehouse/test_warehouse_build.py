"""`dbt build` of the warehouse on a copy of an already-run home: every model and dbt test passes,
the ledger reconciles and matches the lake, fct_documents is one row per scrubbed answer, no raw
student id or quarantined content reaches any warehouse table, every model and column is
documented, and tables another stage has not written yet come out empty and typed."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest

from lakehouse.home import LakehouseHome
from lakehouse.stages.ledger import LEDGER_METRICS, build_ledger
from lakehouse.warehouse import DBT_PROJECT_DIR, build_warehouse, dbt_env, dbt_executable

MARTS = {
    "fct_documents",
    "fct_quarantine",
    "mart_partition_ledger",
    "mart_filter_funnel",
    "mart_language_mix",
    "mart_grade_distribution",
    "mart_copy_clusters",
    "mart_contributor_ledger",
    "mart_reward_calibration",
}


def _read(home: LakehouseHome, pattern: str) -> pl.DataFrame:
    files = sorted(home.lake.glob(pattern))
    return pl.read_parquet(files, hive_partitioning=False) if files else pl.DataFrame()


@pytest.fixture(scope="module")
def built(module_home_copy: LakehouseHome) -> LakehouseHome:
    started = time.perf_counter()
    result = build_warehouse(module_home_copy)
    print(f"\n[warehouse] dbt build on the test home: {time.perf_counter() - started:.1f}s")
    assert result.statuses.get("error", 0) == result.statuses.get("fail", 0) == 0
    return module_home_copy


def _connect(home: LakehouseHome) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home.warehouse), read_only=True)


@pytest.mark.slow
def test_build_publishes_every_mart_and_leaves_no_build_file(built: LakehouseHome) -> None:
    with _connect(built) as con:
        tables = dict(
            con.execute("select table_name, table_type from information_schema.tables").fetchall()
        )
    assert set(tables) == MARTS
    # tables only: the published file is a snapshot that never reads the live lake
    assert set(tables.values()) == {"BASE TABLE"}
    assert not [p for p in built.root.iterdir() if ".building" in p.name]


@pytest.mark.slow
def test_ledger_reconciles_and_matches_the_lakes_counts(built: LakehouseHome) -> None:
    counts = _read(built, "gold/partition_counts/stage=*/institution=*/night=*/*.parquet")
    expected = build_ledger(counts).with_columns(pl.col("erased").fill_null(0))
    with _connect(built) as con:
        ledger = con.execute("select * from mart_partition_ledger").pl()
    assert ledger.height == expected.height > 0
    assert ledger["reconciles"].all()
    keys = ["institution_id", "night"]
    joined = expected.join(ledger, on=keys, suffix="_warehouse")
    assert joined.height == expected.height
    for metric in LEDGER_METRICS:
        assert joined[metric].equals(joined[f"{metric}_warehouse"]), metric
    # scrubbed = kept + sum(dropped per step)
    steps = [c for c in ledger.columns if c.startswith("dropped_") and not c.endswith("_reason")]
    per_step = ledger.select(pl.sum_horizontal(steps)).to_series()
    assert (ledger["kept"] + per_step == ledger["scrubbed"]).all()


@pytest.mark.slow
def test_fct_documents_is_one_row_per_scrubbed_submission(built: LakehouseHome) -> None:
    silver = _read(built, "silver/scrubbed_submissions/institution=*/night=*/*.parquet")
    with _connect(built) as con:
        docs = con.execute(
            "select institution_id, night, submission_id, kept, answer_text from fct_documents"
        ).pl()
    keys = ["institution_id", "night", "submission_id"]
    assert docs.height == silver.height
    assert docs.select(keys).n_unique() == docs.height
    assert docs.select(keys).sort(keys).equals(silver.select(keys).sort(keys))
    # the scrubbed text, not anything from bronze
    merged = docs.join(silver.select(*keys, "answer_text"), on=keys, suffix="_silver")
    assert (merged["answer_text"] == merged["answer_text_silver"]).all()


@pytest.mark.slow
def test_no_raw_student_id_or_quarantined_content_in_any_table(built: LakehouseHome) -> None:
    bronze = _read(built, "bronze/raw_submissions/institution=*/night=*/*.parquet")
    raw_ids = pl.concat([bronze["student_id"], bronze["grader_id"]]).drop_nulls().unique()
    assert raw_ids.len() > 0
    quarantine = _read(built, "bronze/quarantine/institution=*/night=*/*.parquet")
    raw_records = (
        quarantine["raw_record"]
        .drop_nulls()
        .filter(quarantine["raw_record"].drop_nulls().str.len_chars() > 20)
    )
    with duckdb.connect() as con:
        con.execute(f"attach '{built.warehouse}' as wh (read_only)")
        con.register("raw_ids", pl.DataFrame({"id": raw_ids}).to_arrow())
        con.register("raw_records", pl.DataFrame({"r": raw_records.unique()}).to_arrow())
        columns = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = 'wh'"
        ).fetchall()
        assert columns
        names = {c for _, c, _ in columns}
        assert not names & {"student_id", "grader_id", "raw_record", "extra"}
        for table, column, dtype in columns:
            if dtype == "VARCHAR":
                hits = con.execute(
                    f'select count(*) from wh."{table}" t join raw_ids on t."{column}" = raw_ids.id'
                ).fetchone()
                contained = con.execute(
                    f'select count(*) from wh."{table}" t join raw_ids '
                    f'on contains(t."{column}", raw_ids.id)'
                ).fetchone()
                records = con.execute(
                    f'select count(*) from wh."{table}" t join raw_records '
                    f'on t."{column}" = raw_records.r'
                ).fetchone()
                assert hits == contained == records == (0,), f"{table}.{column}"
            elif dtype == "VARCHAR[]":
                hits = con.execute(
                    f'select count(*) from (select unnest(t."{column}") as v from wh."{table}" t) u '
                    "join raw_ids on u.v = raw_ids.id"
                ).fetchone()
                assert hits == (0,), f"{table}.{column}"


@pytest.mark.slow
def test_every_model_and_column_is_documented_and_docs_generate(
    built: LakehouseHome, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    scratch = tmp_path / "docs.duckdb"
    scratch.write_bytes(built.warehouse.read_bytes())
    completed = subprocess.run(
        [
            dbt_executable(),
            "docs",
            "generate",
            "--vars",
            json.dumps({"lake_root": str(built.lake), "warehouse_path": str(scratch)}),
        ],
        cwd=DBT_PROJECT_DIR,
        env=dbt_env(target),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    assert {v["name"] for v in models.values()} >= MARTS
    for node in models.values():
        assert node["description"].strip(), node["name"]
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{node['name']}.{name}"
    for unique_id, entry in catalog["nodes"].items():
        documented = set(models[unique_id]["columns"])
        actual = {c.lower() for c in entry["columns"]}
        assert actual == documented, unique_id


def test_build_with_no_table_written_yet_gives_typed_empty_marts(tmp_path: Path) -> None:
    home = LakehouseHome(tmp_path / "home")
    (home.lake).mkdir(parents=True)
    build_warehouse(home)
    with _connect(home) as con:
        for table in MARTS:
            assert con.execute(f"select count(*) from {table}").fetchone() == (0,)
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = 'fct_documents'"
            ).fetchall()
        )
    assert types["night"] == "DATE"
    assert types["grade_normalized"] == types["rm_score"] == "DOUBLE"
    assert types["kept"] == "BOOLEAN"


@pytest.mark.slow
def test_reward_scores_and_export_contributions_are_picked_up_when_present(
    home_copy: LakehouseHome,
    add_reward_scores: Callable[[LakehouseHome], int],
    add_export_contributions: Callable[[LakehouseHome], pl.DataFrame],
) -> None:
    scored = add_reward_scores(home_copy)
    contributions = add_export_contributions(home_copy)
    build_warehouse(home_copy)
    with _connect(home_copy) as con:
        assert con.execute("select count(rm_score) from fct_documents").fetchone() == (scored,)
        calibration = con.execute("select * from mart_reward_calibration").pl()
        ledger = con.execute("select * from mart_contributor_ledger").pl()
    assert calibration.height > 0
    assert calibration["answers"].sum() > 0
    pretrain = ledger.filter(pl.col("dataset") == "pretrain")
    expected = contributions.filter(pl.col("dataset") == "pretrain", pl.col("release_id") == "r1")
    # a re-release does not count the same answer twice
    assert pretrain["answers"].sum() == expected["submission_id"].n_unique()
    assert pretrain["tokens"].sum() == expected["tokens"].sum()
    assert set(ledger["dataset"]) == {"pretrain", "sft"}
