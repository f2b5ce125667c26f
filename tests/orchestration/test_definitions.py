"""The Dagster wiring: definitions load, assets materialise a partition with metadata, the
sensor onboards institutions and picks up late or changed nights, the schedule runs last night."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime

import pytest
from dagster import (
    DagsterInstance,
    SensorResult,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from assets.partitions import (
    PARTITIONS,
    BadPartitionKeyError,
    configured_first_night,
    lakehouse_partitions,
    landed_refs,
    partition_key,
    ref_from_key,
    register_partitions,
)
from assets.resources import LakehouseResource
from lakehouse.home import LakehouseHome, PartitionRef
from orchestration.automation import landing_sensor, nightly_schedule
from orchestration.definitions import PARTITION_ASSETS, defs
from tests.conftest import REF, WriteJsonl, record, write_consent


def test_definitions_load_every_asset_job_schedule_and_sensor() -> None:
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert {
        "raw_submissions",
        "consented_submissions",
        "scrubbed_submissions",
        "curated_documents",
        "reward_model",
        "reward_scores",
        "partition_ledger",
    } <= keys
    assert defs.resolve_job_def("nightly_partition") is not None
    assert defs.resolve_job_def("publish_release") is not None
    assert {s.name for s in repo.schedule_defs} == {
        "nightly_schedule",
        "publish_schedule",
        "retention_schedule",
    }
    assert {f"{d}_export" for d in ("pretrain", "sft", "preference", "reward", "critique")} <= keys
    assert {s.name for s in repo.sensor_defs} == {
        "landing_sensor",
        "erasure_sensor",
        "consent_sensor",
    }


def test_partition_keys_round_trip() -> None:
    key = partition_key(REF)
    assert key == "inst_test/2026-01-05"
    assert ref_from_key(key) == REF
    with pytest.raises(BadPartitionKeyError, match="names no lakehouse partition"):
        ref_from_key("../../tmp/pwn/2026-01-05")


def test_materialising_a_partition_records_counts_and_a_passing_check(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    good = [record(i, student_id="s1" if i % 5 else "s2") for i in range(1, 11)]
    write_jsonl("a.jsonl", [*good, "{torn"])
    write_consent(home, ["s1,granted,false,false,2026-01-01T00:00:00Z"])
    instance = DagsterInstance.ephemeral()
    register_partitions(instance, [REF])
    result = materialize(
        PARTITION_ASSETS,
        partition_key=partition_key(REF),
        instance=instance,
        resources={"lakehouse": LakehouseResource(home=str(home.root))},
    )
    assert result.success
    by_asset = {
        m.asset_key.to_user_string(): m.metadata
        for m in (e.materialization for e in result.get_asset_materialization_events())
    }
    assert by_asset["raw_submissions"]["landed"].value == 11
    assert by_asset["raw_submissions"]["quarantined_by_reason"].value == {"malformed_json": 1}
    assert by_asset["consented_submissions"]["excluded_by_reason"].value == {"no_consent_record": 2}
    assert by_asset["partition_ledger"]["reconciles"].value is True
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {
        "bronze": True,
        "consent": True,
        "silver": True,
        "curated": True,
        "reward": True,
        "counts_reconcile": True,
    }


def _old(path: os.PathLike[str]) -> None:
    os.utime(path, (0, 0))


def test_sensor_onboards_new_institutions_and_requests_settled_nights(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    today = datetime.now(UTC).date()
    recent = PartitionRef("inst_new", today)
    folder = home.night_dir(recent)
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_text(json.dumps(record(1)) + "\n")
    _old(folder / "a.jsonl")
    instance = DagsterInstance.ephemeral()
    resource = LakehouseResource(home=str(home.root), sensor_settle_seconds=60)

    def sense(cursor: str | None = None) -> SensorResult:
        with build_sensor_context(
            instance=instance, cursor=cursor, resources={"lakehouse": resource}
        ) as context:
            result = landing_sensor(context)
        assert isinstance(result, SensorResult)
        return result

    result = sense()
    assert [r.partition_key for r in result.run_requests] == [partition_key(recent)]
    added = result.dynamic_partitions_requests[0]
    assert list(added.partition_keys) == [partition_key(REF), partition_key(recent)]
    instance.add_dynamic_partitions(PARTITIONS, list(added.partition_keys))

    again = sense(result.cursor)
    assert again.run_requests == [] and again.dynamic_partitions_requests == []

    (folder / "b.csv").write_text("submission_id\n")
    unsettled = sense(result.cursor)
    assert unsettled.run_requests == [], "a folder still being written is not picked up yet"
    _old(folder / "b.csv")
    late = sense(result.cursor)
    assert [r.partition_key for r in late.run_requests] == [partition_key(recent)]


def test_schedule_runs_last_night_for_institutions_that_landed(home: LakehouseHome) -> None:
    with instance_for_test() as instance:
        _check_schedule(home, instance)


def _check_schedule(home: LakehouseHome, instance: DagsterInstance) -> None:
    home.night_dir(PartitionRef("inst_a", date(2026, 1, 5))).mkdir(parents=True)
    register_partitions(instance, home.landed_partitions())
    resource = LakehouseResource(home=str(home.root))
    # a context enters its own instance on first use: close it (`with`), or its clean-up runs
    # whenever it is garbage-collected and restores a dead instance's state storage then
    with build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2026, 1, 6, 2, 30, tzinfo=UTC),
        resources={"lakehouse": resource},
    ) as context:
        requests = nightly_schedule(context)
    assert [r.partition_key for r in requests] == [
        partition_key(PartitionRef("inst_a", date(2026, 1, 5)))
    ]
    with build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2026, 2, 6, 2, 30, tzinfo=UTC),
        resources={"lakehouse": resource},
    ) as quiet:
        assert "no institution has landed night 2026-02-05" in nightly_schedule(quiet).skip_message


@pytest.fixture(autouse=True)
def _no_dagster_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)


def test_only_landed_folders_become_partitions(home: LakehouseHome) -> None:
    """A daily night dimension from 2020-01-01 gave the demo 7,575 phantom partitions, and any
    night dimension crossed with institutions gives each institution every other one's nights
    (issue 13): the partitions are exactly the landed folders, so a backfill of every partition
    ("Materialize all missing") launches only partitions with data."""
    landed = [PartitionRef("inst_b", date(2026, 1, 7)), PartitionRef("inst_a", date(2026, 1, 9))]
    for ref in landed:
        home.night_dir(ref).mkdir(parents=True)
    (home.institution_dir("inst_a") / "not-a-night").mkdir()
    with DagsterInstance.ephemeral() as instance:
        assert register_partitions(instance, landed_refs(home, {})) == [
            "inst_b/2026-01-07",
            "inst_a/2026-01-09",
        ]
        assert register_partitions(instance, landed_refs(home, {})) == [], "idempotent"
        keys = lakehouse_partitions.get_partition_keys(dynamic_partitions_store=instance)
        assert sorted(keys) == ["inst_a/2026-01-09", "inst_b/2026-01-07"]

    first = {"LAKEHOUSE_FIRST_NIGHT": "2026-01-08"}
    assert landed_refs(home, first) == [landed[1]], "nights before the first night never run"
    assert configured_first_night({}) is None
    with pytest.raises(ValueError, match="LAKEHOUSE_FIRST_NIGHT: invalid night '2026/01/05'"):
        configured_first_night({"LAKEHOUSE_FIRST_NIGHT": "2026/01/05"})


def test_consent_sensor_reruns_the_partitions_a_withdrawn_student_was_used_in(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    from lakehouse.stages.bronze import bronze_partition
    from lakehouse.stages.consent import consent_partition
    from orchestration.automation import consent_sensor

    write_jsonl("a.jsonl", [record(1, student_id="s1"), record(2, student_id="s2")])
    rows = [
        "s1,granted,false,false,2026-01-01T00:00:00Z",
        "s2,granted,false,false,2026-01-01T00:00:00Z",
    ]
    write_consent(home, rows)
    bronze_partition(home=home, ref=REF)
    consent_partition(home=home, ref=REF)
    resource = LakehouseResource(home=str(home.root))

    def sense(cursor: str | None = None) -> SensorResult:
        with (
            DagsterInstance.ephemeral() as instance,
            build_sensor_context(
                instance=instance, cursor=cursor, resources={"lakehouse": resource}
            ) as context,
        ):
            result = consent_sensor(context)
        assert isinstance(result, SensorResult)
        return result

    first = sense()
    assert first.run_requests == [], "nobody lost consent"
    write_consent(home, [*rows, "s2,withdrawn,false,false,2026-02-01T00:00:00Z"])
    os.utime(home.consent_csv(REF.institution_id), (1, 1))  # a different fingerprint for sure
    withdrawn = sense(first.cursor)
    assert [(r.job_name, r.partition_key) for r in withdrawn.run_requests] == [
        ("data_subject_rights", None),
        ("nightly_partition", partition_key(REF)),
    ], "the rights job (audit, index, models, releases, landing), then the re-run"
    assert sense(withdrawn.cursor).run_requests == [], "the same file is not acted on twice"
