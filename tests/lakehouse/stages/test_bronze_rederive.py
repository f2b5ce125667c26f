"""A night whose landing copy retention purged is still reached by an erasure: bronze re-derives
the partition from its own rows less the forgotten students, and the layers below follow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import polars as pl
import pytest
from dagster import DagsterInstance, materialize

from assets.partitions import partition_key, register_partitions
from assets.resources import LakehouseResource
from lakehouse.home import LakehouseHome
from lakehouse.institution_config import InstitutionConfig, write_institution_config
from lakehouse.lake import read_partition
from lakehouse.pseudonym import load_key, pseudonym
from lakehouse.retention import enforce_retention
from lakehouse.rights import apply_rights, partitions_to_rerun
from lakehouse.stages.bronze import (
    FROM_BRONZE,
    FROM_LANDING,
    LandingFolderMissingError,
    bronze_partition,
)
from lakehouse.stages.ledger import LEDGER_METRICS, counts_table
from lakehouse.tables import (
    CONSENTED_TABLE,
    CURATED_TABLE,
    LEDGER_TABLE,
    QUARANTINE_TABLE,
    RAW_TABLE,
    SCRUBBED_TABLE,
)
from orchestration.definitions import PARTITION_ASSETS
from tests.conftest import NIGHT, REF, WriteJsonl, record, write_consent


def _land_purge_and_erase(home: LakehouseHome, write_jsonl: WriteJsonl) -> None:
    """Land a night holding `keep` and `gone`, purge its landing copy by retention (raw
    quarantine content kept), then file `gone`'s erasure request."""
    write_jsonl(
        "a.jsonl",
        [
            record(1, student_id="keep"),
            record(2, student_id="gone"),
            record(3, student_id=" GONE "),
            record(4, student_id="keep", grade="A+"),
            '{"student_id": "gone", "answer_text": "torn',
            record(5, student_id="keep", answer_text="Ravi Gupta wrote this with me."),
            record(6, student_id="keep", answer_text="UDP has no handshake."),
        ],
    )
    home.roster_csv(REF.institution_id).write_text(
        "person_id,role,full_name\ngone,student,Ravi Gupta\nkeep,student,Asha Rao\n"
    )
    write_institution_config(
        home,
        REF.institution_id,
        InstitutionConfig(landing_retention_days=30, quarantine_retention_days=400),
    )
    assert bronze_partition(home=home, ref=REF).source == FROM_LANDING
    purged = enforce_retention(home, today=NIGHT + timedelta(days=60))
    assert [(p.kind, p.ref) for p in purged] == [("landing", REF)]
    assert not home.night_dir(REF).exists()
    erasure = home.erasure_dir(REF.institution_id)
    erasure.mkdir(parents=True)
    (erasure / "r.csv").write_text("student_id,requested_at\ngone,2026-03-01T00:00:00Z\n")


def _bronze(home: LakehouseHome) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        read_partition(home, "bronze", RAW_TABLE, REF),
        read_partition(home, "bronze", QUARANTINE_TABLE, REF),
    )


def test_a_purged_night_is_rederived_from_bronze_without_the_forgotten_student(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    _land_purge_and_erase(home, write_jsonl)
    before_raw, before_quarantine = _bronze(home)
    assert before_raw.height == 5 and before_quarantine.height == 2
    result = bronze_partition(home=home, ref=REF)
    raw, quarantine = _bronze(home)
    # id in any case or padding, and the roster name in the text, as the landing redaction
    assert raw["submission_id"].to_list() == ["sub-0001", "sub-0006"]
    assert quarantine.select("reason", "raw_record").rows() == [
        ("bad_grade", before_quarantine["raw_record"][0])
    ]
    assert raw.schema == before_raw.schema and quarantine.schema == before_quarantine.schema
    assert result.source == FROM_BRONZE
    assert result.forgotten_removed == 4
    assert (result.landed, result.accepted, result.quarantined, result.erased) == (3, 2, 1, 0)
    metadata = result.metadata()
    assert metadata["source"] == "bronze (landing night purged by retention)"
    assert (metadata["landed"], metadata["forgotten_removed"]) == (3, 4)
    counts = read_partition(home, "gold", counts_table("bronze"), REF)
    totals = dict(counts.filter(pl.col("reason").is_null()).select("metric", "count").rows())
    assert totals == {"landed": 3, "accepted": 2, "quarantined": 1, "erased": 0}
    # a second re-run finds nobody left and gives the same rows
    again = bronze_partition(home=home, ref=REF)
    assert (again.landed, again.forgotten_removed) == (3, 0)
    assert _bronze(home)[0].equals(raw)


def test_with_neither_landing_nor_bronze_the_error_stays(home: LakehouseHome) -> None:
    with pytest.raises(LandingFolderMissingError, match="no landing folder for partition"):
        bronze_partition(home=home, ref=REF)


@pytest.fixture
def _restore_umask() -> Iterator[None]:
    """A run sets the private umask for the whole process; later tests get theirs back."""
    old = os.umask(0o022)
    os.umask(old)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("_restore_umask")
def test_the_dagster_rerun_after_the_rights_path_clears_every_layer(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    write_consent(
        home,
        [
            "keep,granted,false,false,2026-01-01T00:00:00Z",
            "gone,granted,false,false,2026-01-01T00:00:00Z",
        ],
    )
    instance = DagsterInstance.ephemeral()
    register_partitions(instance, [REF])
    job = {"partition_key": partition_key(REF), "instance": instance}
    resources = {"lakehouse": LakehouseResource(home=str(home.root))}

    def run() -> dict[str, dict[str, object]]:
        """One nightly run of the partition, as the erasure sensor requests it."""
        result = materialize(PARTITION_ASSETS, resources=resources, **job)  # type: ignore[arg-type]
        assert result.success
        events = result.get_asset_materialization_events()
        return {
            e.materialization.asset_key.to_user_string(): {
                k: v.value for k, v in e.materialization.metadata.items()
            }
            for e in events
        }

    home.roster_csv(REF.institution_id).write_text(
        "person_id,role,full_name\ngone,student,Ravi Gupta\nkeep,student,Asha Rao\n"
    )
    write_jsonl("a.jsonl", [record(i, student_id="keep" if i % 2 else "gone") for i in range(8)])
    run()
    before = read_partition(home, "silver", CURATED_TABLE, REF)["student_pseudonym"]
    assert before.n_unique() == 2
    enforce_retention(home, today=NIGHT + timedelta(days=200))
    assert not home.night_dir(REF).exists()
    erasure = home.erasure_dir(REF.institution_id)
    erasure.mkdir(parents=True)
    (erasure / "r.csv").write_text("student_id,requested_at\ngone,2026-07-01T00:00:00Z\n")
    key = load_key()
    apply_rights(home, REF.institution_id, key=key)  # what the rights job runs first
    assert partitions_to_rerun(home, REF.institution_id, key=key) == [REF]
    metadata = run()
    gone = pseudonym("gone", institution_id=REF.institution_id, key=key)
    kept = pseudonym("keep", institution_id=REF.institution_id, key=key)
    assert metadata["raw_submissions"]["source"] == FROM_BRONZE
    assert read_partition(home, "bronze", RAW_TABLE, REF)["student_id"].unique().to_list() == [
        "keep"
    ]
    assert read_partition(home, "bronze", CONSENTED_TABLE, REF)[
        "student_id"
    ].unique().to_list() == ["keep"]
    for layer, table in (("silver", SCRUBBED_TABLE), ("silver", CURATED_TABLE)):
        frame = read_partition(home, layer, table, REF)
        assert frame["student_pseudonym"].unique().to_list() == [kept], table
        assert gone not in frame.write_ndjson() and "gone" not in frame.write_ndjson()
    assert partitions_to_rerun(home, REF.institution_id, key=key) == []
    ledger = read_partition(home, "gold", LEDGER_TABLE, REF)
    assert ledger.select("landed", "accepted", "quarantined", "erased").row(0) == (4, 4, 0, 0)
    assert set(LEDGER_METRICS) <= set(ledger.columns)
    assert metadata["partition_ledger"]["reconciles"] is True
