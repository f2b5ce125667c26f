"""Which partitions a release includes: every layer materialised and every gate's latest verdict
passed or overridden."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from lakehouse.exports.scope import PARTITION_GATES, release_scope
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition


def _verdict(
    home: LakehouseHome, ref: PartitionRef, gate: str, *, ok: bool, overridden: bool = False
) -> None:
    frame = pl.DataFrame(
        {
            "institution_id": [ref.institution_id],
            "night": [ref.night],
            "gate": [gate],
            "expectation": ["e"],
            "success": [ok],
            "overridden": [overridden],
            "evaluated_at": [datetime(2026, 1, 8, tzinfo=UTC)],
        }
    )
    write_partition(home, "gold", f"quality_results/gate={gate}", ref, frame)


def test_only_fully_materialised_partitions_that_passed_every_gate(lake_home) -> None:
    home, refs = lake_home
    for ref in refs:
        home.night_dir(ref).mkdir(parents=True)
        write_partition(home, "gold", "partition_ledger", ref, pl.DataFrame({"x": [1]}))
        for gate in PARTITION_GATES:
            _verdict(home, ref, gate, ok=True)
    assert release_scope(home).included == tuple(refs)

    first, second = refs
    _verdict(home, first, "silver", ok=False)
    _verdict(home, second, "curated", ok=False, overridden=True)
    scope = release_scope(home)
    assert scope.included == (second,)
    assert scope.excluded == {first: "gate not passed: silver"}

    late = PartitionRef(first.institution_id, datetime(2026, 1, 9).date())
    home.night_dir(late).mkdir(parents=True)
    assert release_scope(home).excluded[late].startswith("not materialised: scrubbed_submissions")
