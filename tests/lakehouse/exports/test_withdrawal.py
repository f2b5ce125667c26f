"""Withdrawing releases at once when a student withdraws consent (or is erased): every release
that held them goes, LATEST and the contributor ledger with it, each withdrawal is audited, and
the next release's card names it. A withdrawal reaches the nights up to it only."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from lakehouse.erasure import WITHDRAWAL_EVENT, write_audit_event
from lakehouse.exports import DATASETS, build_release, read_erased
from lakehouse.exports.cards import CARD_NAME
from lakehouse.exports.contributions import contributions_path, read_manifest
from lakehouse.exports.release import latest_release, release_dir
from lakehouse.exports.withdrawal import withdraw_releases, withdrawn_in_audit
from lakehouse.home import LakehouseHome, PartitionRef
from tests.lakehouse.exports.conftest import INST, N1, N2, curated, sample_answers, write_lake

GONE = "p_student0001"  # answers on N1 (odd rows are N1)


def _withdraw(home: LakehouseHome, pseudonym: str, at: datetime) -> None:
    write_audit_event(
        home,
        f"{WITHDRAWAL_EVENT}-{INST}-{pseudonym}-{at:%Y%m%dT%H%M%S}",
        event=WITHDRAWAL_EVENT,
        institution_id=INST,
        pseudonym=pseudonym,
        requested_at=at,
    )


def test_a_withdrawal_withdraws_every_release_holding_the_student(
    lake_home: tuple[LakehouseHome, list[PartitionRef]],
) -> None:
    home, refs = lake_home
    old = build_release(home, refs).release_id
    held = {
        d
        for d in DATASETS
        if GONE in read_manifest(home, d, old)["student_pseudonym"].to_list()  # type: ignore[index]
    }
    _withdraw(home, GONE, datetime(2026, 2, 1, tzinfo=UTC))
    erased = read_erased(home, [INST])
    assert erased.filter(pl.col("student_pseudonym") == GONE)["last_night"].to_list() == [
        datetime(2026, 2, 1).date()
    ]
    withdrawn = withdraw_releases(home, erased)
    assert held and {d for d, _ in withdrawn} == held
    for dataset, rid in withdrawn:
        assert rid == old
        assert not release_dir(home, dataset, old).exists()
        assert latest_release(home, dataset) is None
        assert not contributions_path(home, dataset).exists()
        assert read_manifest(home, dataset, old) is None
        assert withdrawn_in_audit(home, dataset) == (old,)
    audit = pl.read_parquet(home.audit / "release_withdrawn-*.parquet")
    assert GONE not in audit.write_ndjson()

    # the partitions are re-run without the student; the next release says what was withdrawn
    frame = sample_answers().filter(pl.col("student_pseudonym") != GONE)
    write_lake(home, frame, curated_frame=curated(frame))
    new = build_release(home, refs).release_id
    for dataset, _ in withdrawn:
        card = (release_dir(home, dataset, new) / CARD_NAME).read_text()
        assert f"withdrew consent: `{old}`" in card


def test_a_withdrawal_reaches_the_nights_up_to_it_only(
    lake_home: tuple[LakehouseHome, list[PartitionRef]],
) -> None:
    home, refs = lake_home
    # answers on N2 only: a withdrawal dated N1 leaves them (a later consent gave them)
    late = sample_answers().filter(pl.col("night") == N2)["student_pseudonym"][0]
    build_release(home, refs)
    _withdraw(home, late, datetime.combine(N1, datetime.min.time(), tzinfo=UTC))
    assert withdraw_releases(home, read_erased(home, [INST])) == []
