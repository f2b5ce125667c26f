"""Every quality gate, in a real Dagster run of one partition: a partition built to break it is
blocked, the assets downstream of the gated one are not materialised (nor written to the lake),
and the check result names the failed expectation.

Bronze and curated are broken by their data and thresholds. The consent, silver and reward steps
are correct by construction, so their gates are safety nets against a regression: the test
injects that regression (a consent rule that lets everyone through, a scrubber that scrubs
nothing, a scoring job that loses rows) and checks the net holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from dagster import DagsterInstance, materialize

from assets.partitions import partition_key, register_partitions
from assets.resources import LakehouseResource
from lakehouse.home import LakehouseHome
from orchestration.definitions import PARTITION_ASSETS
from tests.conftest import REF, WriteJsonl, record, write_consent

# asset -> the assets that must not run when its gate fails (its downstream in the partition run)
DOWNSTREAM: dict[str, set[str]] = {
    "raw_submissions": {
        "consented_submissions",
        "scrubbed_submissions",
        "curated_documents",
        "reward_model",
        "reward_scores",
        "partition_ledger",
    },
    "consented_submissions": {
        "scrubbed_submissions",
        "curated_documents",
        "reward_model",
        "reward_scores",
        "partition_ledger",
    },
    "scrubbed_submissions": {
        "curated_documents",
        "reward_model",
        "reward_scores",
        "partition_ledger",
    },
    "curated_documents": {"partition_ledger"},
    "reward_scores": set(),
}
TABLES = {
    "consented_submissions": ("bronze", "consented_submissions"),
    "scrubbed_submissions": ("silver", "scrubbed_submissions"),
    "curated_documents": ("silver", "curated_documents"),
    "reward_scores": ("gold", "reward_scores"),
    "partition_ledger": ("gold", "partition_ledger"),
}


def _clean_partition(home: LakehouseHome, write_jsonl: WriteJsonl) -> None:
    answers = [
        "TCP sets up a connection with a three way handshake and retransmits lost segments.",
        "UDP sends datagrams without a connection, so it is faster but delivery is not assured.",
        "Flow control in TCP uses a sliding window so a fast sender cannot overwhelm a receiver.",
    ]
    rows = [
        record(
            i,
            answer_text=f"{answers[i % 3]} Contact me at student{i}@example.org or 9876543{i:03d}.",
            grade=float(i % 10),
        )
        for i in range(1, 31)
    ]
    write_jsonl("a.jsonl", rows)
    write_consent(
        home,
        [f"stu-{s:03d},granted,false,false,2026-01-01T00:00:00Z" for s in range(6)]
        + ["stu-006,withdrawn,false,false,2026-01-01T00:00:00Z"],
    )


def _break_bronze(home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: Any) -> None:
    (home.night_dir(REF) / "torn.jsonl").write_text("{torn\n" * 20)


def _break_consent(home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: Any) -> None:
    import lakehouse.consent

    monkeypatch.setattr(lakehouse.consent, "exclusion_reason", lambda: pl.lit(None, pl.String))


def _break_silver(home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: Any) -> None:
    import lakehouse.stages.silver
    from lakehouse.pii.scrub import scrub_frame

    def scrub_nothing(frame: pl.DataFrame, **kwargs: Any) -> Any:
        return dataclasses.replace(scrub_frame(frame.head(0), **kwargs), frame=frame)

    defaults = lakehouse.stages.silver.silver_partition.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "scrubber", scrub_nothing)


def _break_curated(home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: Any) -> None:
    folder = home.root / "config" / "quality"
    folder.mkdir(parents=True)
    (folder / f"{REF.institution_id}.yaml").write_text("curated:\n  min_kept_fraction: 0.99\n")


def _break_reward(home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: Any) -> None:
    import ray_jobs.score

    score_partitions = ray_jobs.score.score_partitions

    def lose_rows(**kwargs: Any) -> Any:
        job = score_partitions(**kwargs)
        return dataclasses.replace(job, scores=job.scores.head(5))

    monkeypatch.setattr(ray_jobs.score, "score_partitions", lose_rows)


CASES: dict[str, tuple[str, str, Callable[..., None]]] = {
    "bronze": ("raw_submissions", "quarantine_rate_below_bound", _break_bronze),
    "consent": ("consented_submissions", "consent_granted", _break_consent),
    "silver": ("scrubbed_submissions", "email", _break_silver),
    "curated": ("curated_documents", "kept_fraction", _break_curated),
    "reward": ("reward_scores", "coverage", _break_reward),
}


@pytest.mark.slow
@pytest.mark.parametrize("gate", sorted(CASES))
def test_a_partition_that_breaks_a_gate_is_blocked_with_the_reason(
    gate: str, home: LakehouseHome, write_jsonl: WriteJsonl, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_name, reason, breaker = CASES[gate]
    _clean_partition(home, write_jsonl)
    breaker(home, write_jsonl, monkeypatch)
    instance = DagsterInstance.ephemeral()
    register_partitions(instance, [REF])
    result = materialize(
        PARTITION_ASSETS,
        partition_key=partition_key(REF),
        instance=instance,
        resources={"lakehouse": LakehouseResource(home=str(home.root))},
        raise_on_error=False,
    )
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks[gate].passed is False
    assert checks[gate].asset_key.to_user_string() == asset_name
    failed = checks[gate].metadata["failed_expectations"].value
    assert isinstance(failed, list)
    assert any(reason in name for name in failed), failed
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert asset_name in materialised
    assert not (materialised & DOWNSTREAM[asset_name]), materialised & DOWNSTREAM[asset_name]
    for name in DOWNSTREAM[asset_name] & set(TABLES):
        layer, table = TABLES[name]
        assert not home.partition_dir(layer, table, REF).exists(), name  # type: ignore[arg-type]
    passed = {name for name, check in checks.items() if check.passed}
    assert gate not in passed
