"""Data-subject rights end to end (issue 16): publish, then one student withdraws consent and
another (of the other institution) asks for erasure; the consent and erasure sensors' runs (not a
full re-run) remove both from every place, and a plain `lakehouse run` afterwards keeps it so.

Places checked: every lake table (the audit aside), the dedup index, every export file (current
releases and cards), every warehouse table, every model folder's training record, the landed
batch files, `roster.csv` and the quarantine (where a record planted without the raw id, or with
it in another case, held each student).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from dagster import (
    DagsterInstance,
    RunRequest,
    SensorDefinition,
    SensorResult,
    build_sensor_context,
)

from assets.resources import LakehouseResource
from lakehouse.exports.config import DATASETS, Dataset
from lakehouse.exports.contributions import read_manifest
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import table_glob
from lakehouse.pseudonym import load_key, pseudonym
from lakehouse.readers.common import batch_files
from orchestration.automation import consent_sensor, erasure_sensor, landing_sensor
from orchestration.jobs import NIGHTLY_JOB
from orchestration.rights import RIGHTS_JOB, rights_job
from orchestration.runner import publish, run_partitions
from tests.orchestration.test_erasure import files_as_text
from tests.reliability.lake_snapshot import generate, run

pytestmark = pytest.mark.slow

WITHDRAWN_AT = "2026-03-01T10:00:00Z"


@dataclass(frozen=True)
class Subject:
    institution_id: str
    student_id: str
    name: str
    alias: str
    submissions: tuple[str, ...]


@dataclass(frozen=True)
class Published:
    root: Path
    home: LakehouseHome
    withdrawer: Subject
    eraser: Subject
    releases_holding: dict[Dataset, str]
    """The LATEST release of each dataset that held either student when they asked."""


def _landed_bytes(path: Path) -> bytes:
    """A landed file's content as text bytes (a torn gzip: what it decompresses to)."""
    if path.suffix == ".parquet":
        try:
            return pl.read_parquet(path).write_csv().encode()
        except pl.exceptions.PolarsError:
            return path.read_bytes()
    raw = path.read_bytes()
    if not path.name.endswith(".gz"):
        return raw
    out = zlib.decompressobj(wbits=31)
    try:
        return out.decompress(raw)
    except zlib.error:
        return raw


def _choose(home: LakehouseHome, institution_id: str) -> tuple[str, str]:
    """(id, name) of the consented adult with the most landed records on the first night."""
    truth = pl.read_parquet(home.root / "_truth" / institution_id / "students.parquet")
    adults = truth.filter(
        pl.col("exclusion_reason").is_null() & ~pl.col("is_minor") & ~pl.col("erasure_requested")
    )
    night = home.landed_partitions()[0]
    landed = b"".join(
        _landed_bytes(f)
        for f in batch_files(home.night_dir(PartitionRef(institution_id, night.night)))
    )
    counts = adults.with_columns(
        pl.col("student_id").map_elements(lambda i: landed.count(i.encode()), pl.Int64).alias("n")
    )
    best = counts.sort("n", "student_id", descending=[True, False]).row(0, named=True)
    return best["student_id"], best["full_name"]


def _subject(home: LakehouseHome, institution_id: str, student_id: str, name: str) -> Subject:
    consented = pl.read_parquet(table_glob(home, "bronze", "consented_submissions"))
    mine = consented.filter(
        (pl.col("institution_id") == institution_id) & (pl.col("student_id") == student_id)
    )
    assert mine.height, "the chosen student has consented answers"
    return Subject(
        institution_id=institution_id,
        student_id=student_id,
        name=name,
        alias=pseudonym(student_id, institution_id=institution_id, key=load_key()),
        submissions=tuple(mine["submission_id"]),
    )


def _plant_quarantined(home: LakehouseHome, ref: PartitionRef, student: str, name: str) -> None:
    """Two records of the student that bronze quarantines: a torn JSON line naming them (no id
    at all) and one with the id in lower case (the raw id is not in its text)."""
    lines = [
        f'{{"submission_id": "planted-1", "answer_text": "by {name}", "student_',
        json.dumps({"submission_id": "planted-2", "student_id": f" {student.lower()} "}),
    ]
    (home.night_dir(ref) / "zz-planted.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    root = tmp_path_factory.mktemp("rights") / "home"
    generate(root, "--institutions", "2", "--nights", "2", "--submissions", "60", "--seed", "7")
    home = LakehouseHome(root)
    for inst in ("inst_000", "inst_001"):
        # a small night carries every kind of defect: a higher quarantine share is expected
        home.thresholds_yaml(inst).parent.mkdir(parents=True, exist_ok=True)
        home.thresholds_yaml(inst).write_text("bronze: {max_quarantine_rate: 0.45}\n")
    first_night = home.landed_partitions()[0].night
    chosen = {inst: _choose(home, inst) for inst in ("inst_000", "inst_001")}
    for inst, (student, name) in chosen.items():
        _plant_quarantined(home, PartitionRef(inst, first_night), student, name)
    result = run(root)
    assert result.returncode == 0, result.stdout + result.stderr
    withdrawer, eraser = (_subject(home, inst, *chosen[inst]) for inst in ("inst_000", "inst_001"))
    releases = {}
    for dataset in DATASETS:
        rid = (root / "exports" / dataset / "LATEST").read_text().strip()
        manifest = read_manifest(home, dataset, rid)
        assert manifest is not None
        if {withdrawer.alias, eraser.alias} & set(manifest["student_pseudonym"]):
            releases[dataset] = rid
    assert releases, "the students' answers were published"
    yield Published(root, home, withdrawer, eraser, releases)


@dataclass(frozen=True)
class Tick:
    """One evaluation of a sensor: the runs it asks for and its new cursor."""

    requests: list[RunRequest]
    cursor: str | None


def _evaluate(
    sensor: SensorDefinition,
    resource: LakehouseResource,
    instance: DagsterInstance,
    cursor: str | None,
) -> Tick:
    with build_sensor_context(
        instance=instance, resources={"lakehouse": resource}, cursor=cursor
    ) as context:
        result = sensor(context)
    assert isinstance(result, SensorResult)
    return Tick(list(result.run_requests or []), result.cursor)


def _partition_refs(requests: list[RunRequest]) -> list[PartitionRef]:
    """The partitions the requests ask to run, each once, in precedence order."""
    keys = {r.partition_key for r in requests if r.job_name == NIGHTLY_JOB and r.partition_key}
    refs = [PartitionRef(k.split("/")[0], date.fromisoformat(k.split("/")[1])) for k in keys]
    return sorted(refs, key=lambda r: r.precedence())


def _assert_forgotten(p: Published) -> None:
    root, home = p.root, p.home
    texts = files_as_text(root)
    for s in (p.withdrawer, p.eraser):
        needles = (s.student_id, s.alias, *(f"{s.institution_id}/{x}" for x in s.submissions))
        holding = sorted(
            name
            for name, text in texts.items()
            if not name.startswith("lake/gold/audit/") and any(n in text for n in needles)
        )
        assert not holding, f"{s.student_id} is still in {holding}"
        for record in (root / "models").glob("*/*/before=*/trained_on.parquet"):
            assert s.alias not in pl.read_parquet(record)["student_pseudonym"].to_list()
        for ref in home.landed_partitions():
            if ref.institution_id != s.institution_id:
                continue
            for f in batch_files(home.night_dir(ref)):
                raw = _landed_bytes(f)
                assert s.student_id.lower().encode() not in raw.lower(), f
                assert s.name.encode() not in raw, f
        assert s.student_id not in home.roster_csv(s.institution_id).read_text()
    quarantine = pl.read_parquet(table_glob(home, "bronze", "quarantine"))
    assert not quarantine["raw_record"].str.contains("planted-").any()
    for dataset, old in p.releases_holding.items():
        assert not (root / "exports" / dataset / f"release={old}").exists(), dataset
        assert read_manifest(home, dataset, old) is None
        latest = (root / "exports" / dataset / "LATEST").read_text().strip()
        assert latest != old
        card = (root / "exports" / dataset / f"release={latest}" / "DATASET_CARD.md").read_text()
        assert old in card, f"{dataset}: the new card does not name the withdrawn release"


def _ask(p: Published) -> None:
    """The withdrawer withdraws consent, the eraser asks for erasure."""
    with p.home.consent_csv("inst_000").open("a") as fh:
        fh.write(f"{p.withdrawer.student_id},withdrawn,false,,{WITHDRAWN_AT},,\n")
    p.home.erasure_dir("inst_001").mkdir(exist_ok=True)
    (p.home.erasure_dir("inst_001") / "2026-03-01.csv").write_text(
        f"student_id,requested_at\n{p.eraser.student_id},2026-03-01T09:00:00Z\n"
    )


def test_withdrawal_and_erasure_reach_every_place(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = published
    root, home = p.root, p.home
    monkeypatch.setenv("DAGSTER_HOME", str(root / ".dagster"))
    text = files_as_text(root)
    for s in (p.withdrawer, p.eraser):
        assert any(s.alias in t for n, t in text.items() if n.startswith("warehouse"))
        assert any(
            s.alias in t for n, t in text.items() if n.startswith("lake/gold/export_releases")
        )
    resource = LakehouseResource(
        home=str(root), sensor_lookback_days=36500, sensor_settle_seconds=0
    )
    with DagsterInstance.ephemeral() as instance:
        # the sensors' state before the requests (what a running deployment holds)
        cursors = {
            sensor: _evaluate(sensor, resource, instance, None).cursor
            for sensor in (landing_sensor, consent_sensor, erasure_sensor)
        }
        _ask(p)
        consent = _evaluate(consent_sensor, resource, instance, cursors[consent_sensor])
        erasure = _evaluate(erasure_sensor, resource, instance, cursors[erasure_sensor])
        requests = [*consent.requests, *erasure.requests]
        rights = [r for r in requests if r.job_name == RIGHTS_JOB]
        assert sorted(
            r.run_config["ops"]["apply_data_subject_rights"]["config"]["institution_id"]
            for r in rights
        ) == ["inst_000", "inst_001"]
        for request in rights:
            result = rights_job.execute_in_process(
                run_config=request.run_config, instance=instance, resources={"lakehouse": resource}
            )
            assert result.success
        # the nights whose landed copy was redacted: the erasure sensor (from the audit) and the
        # landing sensor (a changed folder) each ask for one re-run
        erasure = _evaluate(erasure_sensor, resource, instance, erasure.cursor)
        landed = _evaluate(landing_sensor, resource, instance, cursors[landing_sensor])
        redacted = {r.partition_key for r in erasure.requests}
        assert redacted and redacted == {r.partition_key for r in landed.requests}
        refs = _partition_refs([*requests, *erasure.requests])
    outcomes = run_partitions(home=home, refs=refs)
    assert not outcomes.failed, outcomes
    assert publish(home=home).success
    with DagsterInstance.ephemeral() as instance:
        # stable: nothing is left to redact, no sensor asks for another run
        assert not _evaluate(erasure_sensor, resource, instance, erasure.cursor).requests
        assert not _evaluate(landing_sensor, resource, instance, landed.cursor).requests
    _assert_forgotten(p)
    audit = pl.read_parquet(home.audit / "*.parquet", hive_partitioning=False)
    events = dict(zip(audit["student_pseudonym"], audit["event"], strict=True))
    assert events[p.withdrawer.alias] == "consent_withdrawal_applied"
    assert events[p.eraser.alias] == "erasure_applied"
    assert p.withdrawer.student_id not in audit.write_ndjson()
    assert p.eraser.student_id not in audit.write_ndjson()

    # a plain run keeps it so
    again = run(root)
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_forgotten(p)
