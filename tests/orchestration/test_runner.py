"""The runner's typed outcomes: what the CLI prints comes from fields, not from parsed strings."""

from __future__ import annotations

from lakehouse.partition_runs import StepError
from orchestration.runner import ExportOutcome, PublishOutcome


def test_publish_outcome_messages_and_exports_table() -> None:
    outcome = PublishOutcome(
        success=False,
        exports=(
            ExportOutcome("pretrain", "r0001", rows=10, tokens=200, shards=1, gate="ok"),
            ExportOutcome("sft", "r0001", rows=0, tokens=0, shards=0, gate="BLOCKED"),
        ),
        warehouse_models=0,
        blocked_exports=("sft_export",),
        errors=(StepError("warehouse", "dbt failed"),),
    )
    assert outcome.messages == [
        "sft_export: blocked by its exports gate (not published)",
        "warehouse: dbt failed",
    ]
    table = outcome.exports_table()
    assert table.columns == ["dataset", "release", "rows", "tokens", "shards", "gate"]
    assert table["gate"].to_list() == ["ok", "BLOCKED"]
