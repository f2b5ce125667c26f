"""`lakehouse status`: states, counts and gate verdicts of landed partitions, and what to do."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from lakehouse.home import LakehouseHome
from orchestration.cli import main
from tests.orchestration.cli_support import isolated_dagster_home, landed_home

__all__ = ["isolated_dagster_home", "landed_home"]


def test_status_of_a_home_that_landed_but_never_ran(
    landed_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--home", str(landed_home)]) == 0
    out = capsys.readouterr().out
    assert "4 partitions landed: 0 ok, 4 not yet run" in out
    rows = [line for line in out.splitlines() if line.startswith("| inst_")]
    assert len(rows) == 4
    for line in rows:
        inst, night, status, landed = (c.strip() for c in line.strip("|").split("|")[:4])
        truth = json.loads((landed_home / "_truth" / inst / night / "expected.json").read_text())
        assert (status, int(landed)) == ("not yet run", truth["landed"])
    assert f"LAKEHOUSE_HOME={landed_home} DAGSTER_HOME={landed_home}/.dagster " in out
    assert "dev -m orchestration.definitions -h 127.0.0.1 -p 3000" in out
    assert sorted(p.name for p in landed_home.iterdir()) == ["_truth", "config", "landing"]


@pytest.mark.parametrize(("gate", "overridable"), [("silver", False), ("curated", True)])
def test_status_of_a_blocked_partition_says_whether_an_override_is_possible(
    landed_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    gate: str,
    overridable: bool,
) -> None:
    from datetime import UTC, date, datetime

    from expectations.results import RESULTS_SCHEMA, results_table
    from lakehouse.home import PartitionRef
    from lakehouse.lake import write_partition

    root = tmp_path / "home"
    shutil.copytree(landed_home, root)
    ref = PartitionRef("inst_001", date(2026, 1, 6))
    verdict = pl.DataFrame(
        [
            {
                "institution_id": ref.institution_id,
                "night": ref.night,
                "gate": gate,
                "expectation": "an_expectation",
                "column": "answer_text",
                "success": False,
                "observed_value": "3",
                "overridden": False,
                "evaluated_at": datetime.now(UTC),
            }
        ],
        schema=RESULTS_SCHEMA,
    )
    write_partition(LakehouseHome(root), "gold", results_table(gate), ref, verdict)
    assert main(["status", "--home", str(root)]) == 0
    out = capsys.readouterr().out
    assert "4 partitions landed: 0 ok, 1 blocked, 3 not yet run" in out
    assert f"inst_001/2026-01-06: blocked by {gate} gate: an_expectation on answer_text" in out
    assert (f"overrides/{gate}/inst_001/2026-01-06.yaml" in out) is overridable
    assert (f"the {gate} gate cannot be overridden" in out) is not overridable


def _verdict(gate: str, *, success: bool, overridden: bool = False) -> dict[str, object]:
    from datetime import UTC, date, datetime

    return {
        "institution_id": "inst_000",
        "night": date(2026, 1, 5),
        "gate": gate,
        "expectation": "an_expectation",
        "column": None,
        "success": success,
        "observed_value": None,
        "overridden": overridden,
        "evaluated_at": datetime(2026, 1, 6, tzinfo=UTC),
    }


def test_gate_summary_lists_gates_in_pipeline_order_exports_last() -> None:
    from expectations.results import RESULTS_SCHEMA
    from orchestration.cli_status import GATE_ORDER, gate_summary

    results = pl.DataFrame(
        [
            _verdict("exports_sft", success=True),
            _verdict("reward", success=True),
            _verdict("curated", success=False, overridden=True),
            _verdict("bronze", success=True),
            _verdict("silver", success=False),
            _verdict("consent", success=True),
        ],
        schema=RESULTS_SCHEMA,
    )
    (row,) = gate_summary(results).iter_rows(named=True)
    assert row["gates"] == (
        "bronze:ok consent:ok silver:FAILED curated:overridden reward:ok exports_sft:ok"
    )
    assert list(GATE_ORDER)[:5] == ["bronze", "consent", "silver", "curated", "reward"]
    assert "exports_pretrain" in GATE_ORDER


def test_what_to_do_about_failed_and_incomplete_partitions(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    from lakehouse.home import PartitionRef
    from lakehouse.partition_runs import PartitionRun, StepError
    from orchestration.cli_status import _attention

    home = LakehouseHome(tmp_path / "home")
    ref = PartitionRef("inst_000", date(2026, 1, 5))
    rerun = f"lakehouse run --home {home.root} --institution inst_000 --night 2026-01-05"
    failed = PartitionRun(
        ref, "failed", "r1", datetime(2026, 1, 6, tzinfo=UTC), 1.0,
        errors=(StepError("silver", "disk\n full"),),
    )  # fmt: skip
    assert _attention(home, ref, "failed", [], failed) == (
        f"inst_000/2026-01-05: failed: silver: disk full. Fix the cause, then re-run: {rerun}"
    )
    assert _attention(home, ref, "incomplete", [], None) == (
        f"inst_000/2026-01-05: incomplete (an interrupted run?): re-run: {rerun}"
    )
    assert _attention(home, ref, "ok", [], None) is None
