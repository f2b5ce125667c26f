"""Withdrawing releases that hold a student who was erased or withdrew consent.

The rights path calls `withdraw_releases` as soon as a request is applied, without waiting for
the next publish: every release on disk whose manifest holds such a student (a withdrawal: an
answer of a night up to the withdrawal) is deleted with its manifest; where it was the dataset's
LATEST, LATEST and the contributor ledger (which names its students) go too, until the next
release. Each withdrawal is an audit event (`release_withdrawn`, release id only), which the next
release's card lists.
"""

from __future__ import annotations

import shutil
from typing import Final

import polars as pl

from lakehouse.erasure import write_audit_event
from lakehouse.exports.config import DATASETS, Dataset
from lakehouse.exports.contributions import (
    contributions_path,
    drop_manifest,
    erased_students_in,
    read_manifest,
)
from lakehouse.home import LakehouseHome

RELEASE_WITHDRAWN_EVENT: Final = "release_withdrawn"
LATEST_NAME: Final = "LATEST"


def _published(home: LakehouseHome, dataset: Dataset) -> list[str]:
    folder = home.exports / dataset
    if not folder.is_dir():
        return []
    return sorted(p.name.removeprefix("release=") for p in folder.glob("release=*") if p.is_dir())


def withdraw_release(home: LakehouseHome, dataset: Dataset, release_id: str, *, why: str) -> None:
    """Delete one release, its manifest and, where it is LATEST, LATEST and the contributor
    ledger; record the withdrawal in the audit."""
    folder = home.exports / dataset
    latest = folder / LATEST_NAME
    if latest.is_file() and latest.read_text().strip() == release_id:
        latest.unlink()
        contributions_path(home, dataset).unlink(missing_ok=True)
    shutil.rmtree(folder / f"release={release_id}", ignore_errors=True)
    drop_manifest(home, dataset, release_id)
    write_audit_event(
        home,
        f"{RELEASE_WITHDRAWN_EVENT}-{dataset}-{release_id}",
        event=RELEASE_WITHDRAWN_EVENT,
        institution_id="*",
        detail=f"{dataset}/{release_id}: {why}",
    )


def withdraw_releases(home: LakehouseHome, erased: pl.DataFrame) -> list[tuple[Dataset, str]]:
    """Withdraw every release of every dataset that holds a student of `erased`
    (`inputs.ERASED_SCHEMA`); returns (dataset, release id) of each one withdrawn."""
    withdrawn: list[tuple[Dataset, str]] = []
    for dataset in DATASETS:
        for rid in _published(home, dataset):
            held = erased_students_in(read_manifest(home, dataset, rid), erased)
            if held:
                withdraw_release(
                    home, dataset, rid, why=f"held {held} erased or withdrawn students"
                )
                withdrawn.append((dataset, rid))
    return withdrawn


def withdrawn_in_audit(home: LakehouseHome, dataset: Dataset) -> tuple[str, ...]:
    """Ids of the dataset's releases the rights path has withdrawn (from the audit), sorted."""
    files = (
        sorted(home.audit.glob(f"{RELEASE_WITHDRAWN_EVENT}-{dataset}-*.parquet"))
        if home.audit.is_dir()
        else []
    )
    prefix = f"{RELEASE_WITHDRAWN_EVENT}-{dataset}-"
    return tuple(sorted(f.name.removeprefix(prefix).removesuffix(".parquet") for f in files))
