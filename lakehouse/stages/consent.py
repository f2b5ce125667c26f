"""The consent stage: `consented_submissions` from one bronze partition's `raw_submissions`.

The rules (who may be used, why not) are `lakehouse.consent`; this stage streams the partition
through them and publishes the usable rows with the counts of the excluded ones by reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.consent import judge_submissions, load_birth_dates, load_consent
from lakehouse.erasure import load_erasure_requests
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import partition_transaction, read_partition_lazy
from lakehouse.markdown import counts_markdown
from lakehouse.stages.ledger import counts_frame, counts_table
from lakehouse.tables import CONSENTED_TABLE, RAW_TABLE

STAGE: Final = "consent"


@dataclass(frozen=True)
class ConsentResult:
    """Counts of one consent pass; `consented` holds the rows only for in-memory use."""

    consented_rows: int
    excluded_by_reason: dict[str, int]

    @property
    def excluded(self) -> int:
        return sum(self.excluded_by_reason.values())

    def metadata(self) -> dict[str, object]:
        """What the asset records of the run (counts only)."""
        return {
            "dagster/row_count": self.consented_rows,
            "consented": self.consented_rows,
            "excluded": self.excluded,
            "excluded_by_reason": self.excluded_by_reason,
            "exclusion_summary": counts_markdown("exclusion reason", self.excluded_by_reason),
        }


def consent_partition(*, home: LakehouseHome, ref: PartitionRef) -> ConsentResult:
    """Apply the institution's consent file and erasure requests to one bronze partition and
    publish `consented_submissions` and the stage's counts atomically.

    The bronze rows are streamed (polars lazy scan and sink), never held whole in memory.
    """
    source = read_partition_lazy(home, "bronze", RAW_TABLE, ref)
    judged = judge_submissions(
        source,
        consent=load_consent(home.consent_csv(ref.institution_id)),
        erased=load_erasure_requests(home.erasure_dir(ref.institution_id)),
        birth_dates=load_birth_dates(home.roster_csv(ref.institution_id)),
        night=pl.lit(ref.night),
    )
    columns = source.collect_schema().names()
    tables = [("bronze", CONSENTED_TABLE), ("gold", counts_table(STAGE))]
    with partition_transaction(home, ref, tables) as staged:  # type: ignore[arg-type]
        target = staged[CONSENTED_TABLE].file("part-00000.parquet")
        judged.filter(pl.col("_exclusion").is_null()).select(columns).sink_parquet(target)
        consented_rows = pl.scan_parquet(target).select(pl.len()).collect().item()
        counts = (
            judged.filter(pl.col("_exclusion").is_not_null())
            .group_by("_exclusion")
            .len()
            .sort("_exclusion")
            .collect()
        )
        by_reason = dict(zip(counts["_exclusion"], counts["len"], strict=True))
        staged[counts_table(STAGE)].write(
            counts_frame(
                ref,
                stage=STAGE,
                totals={"excluded": sum(by_reason.values()), "consented": consented_rows},
                by_reason={"excluded": by_reason},
            )
        )
    return ConsentResult(consented_rows=consented_rows, excluded_by_reason=by_reason)
