"""The partition ledger pivots stage counts and checks that they reconcile."""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from lakehouse.stages.ledger import build_ledger, counts_frame
from tests.conftest import REF


def _counts(**stages: dict) -> list[pl.DataFrame]:
    return [counts_frame(REF, stage=s, **kw) for s, kw in stages.items()]


def test_reconciling_counts() -> None:

    counts = pl.concat(
        _counts(
            bronze={
                "totals": {"landed": 10, "accepted": 7, "quarantined": 3},
                "by_reason": {"quarantined": {"bad_timestamp": 1, "malformed_json": 2}},
            },
            consent={
                "totals": {"excluded": 2, "consented": 5},
                "by_reason": {"excluded": {"consent_pending": 2}},
            },
        )
    )
    row = build_ledger(counts).row(0, named=True)
    assert (
        row["landed"],
        row["accepted"],
        row["quarantined"],
        row["excluded"],
        row["consented"],
    ) == (10, 7, 3, 2, 5)
    assert json.loads(row["quarantined_by_reason"]) == {"bad_timestamp": 1, "malformed_json": 2}
    assert row["scrubbed"] is None and row["dropped_by_reason"] == "{}"
    assert row["reconciles"] is True


def test_counts_that_do_not_add_up_do_not_reconcile() -> None:

    bronze_only = pl.concat(
        _counts(bronze={"totals": {"landed": 10, "accepted": 7, "quarantined": 2}})
    )
    assert build_ledger(bronze_only)["reconciles"].to_list() == [False]
    with_consent = pl.concat(
        _counts(
            bronze={"totals": {"landed": 10, "accepted": 7, "quarantined": 3}},
            consent={"totals": {"excluded": 2, "consented": 4}},
        )
    )
    assert build_ledger(with_consent)["reconciles"].to_list() == [False]


def test_ledger_columns_come_in_one_order_whatever_the_counts_order() -> None:
    rows = [
        ("i", date(2026, 1, 5), "landed", None, 10),
        ("i", date(2026, 1, 5), "accepted", None, 7),
        ("i", date(2026, 1, 5), "quarantined", None, 3),
        ("i", date(2026, 1, 5), "quarantined", "bad_timestamp", 1),
        ("i", date(2026, 1, 5), "quarantined", "malformed_json", 2),
        ("i", date(2026, 1, 5), "excluded", None, 2),
        ("i", date(2026, 1, 5), "excluded", "consent_pending", 2),
        ("i", date(2026, 1, 5), "consented", None, 5),
    ]
    schema = ["institution_id", "night", "metric", "reason", "count"]
    columns = {
        tuple(build_ledger(pl.DataFrame(order, schema=schema, orient="row")).columns)
        for order in (rows, rows[::-1], rows[3:] + rows[:3])
    }
    assert len(columns) == 1
