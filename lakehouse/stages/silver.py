"""The silver stage: `scrubbed_submissions` from `consented_submissions` of one partition.

Free text is scrubbed (`lakehouse.pii`), student and grader ids become keyed pseudonyms, and every
column that could carry raw personal data (`student_id`, `grader_id`, `extra`) is dropped, so
nothing personal leaves bronze. A residual scan counts pattern hits left after scrubbing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import load_institution_config
from lakehouse.lake import partition_transaction, read_partition
from lakehouse.pii.config import DEFAULT_TEXT_COLUMNS, PiiConfig
from lakehouse.pii.residual import residual_scan
from lakehouse.pii.roster import Roster, load_roster
from lakehouse.pii.scrub import ScrubResult, scrub_frame
from lakehouse.pseudonym import pseudonymise_series
from lakehouse.reference import read_reference_csv
from lakehouse.stages.ledger import counts_frame, counts_table
from lakehouse.tables import CONSENTED_TABLE, SCRUBBED_TABLE

STAGE: Final = "scrub"
SILVER_SCHEMA: Final[dict[str, pl.DataType]] = {
    "submission_id": pl.String(),
    "institution_id": pl.String(),
    "night": pl.Date(),
    "course_id": pl.String(),
    "assignment_id": pl.String(),
    "question_id": pl.String(),
    "student_pseudonym": pl.String(),
    "grader_pseudonym": pl.String(),
    "question_text": pl.String(),
    "answer_text": pl.String(),
    "reference_answer": pl.String(),
    "feedback": pl.String(),
    "submitted_at": pl.Datetime("us", "UTC"),
    "grade": pl.Float64(),
    "max_grade": pl.Float64(),
    "language": pl.String(),
}

Scrubber = Callable[..., ScrubResult]


@dataclass(frozen=True)
class ScrubStageResult:
    rows: int
    replaced_by_entity: dict[str, int]
    residual_by_entity: dict[str, int]
    nlp_engine: str
    analyzed: int
    distinct_documents: int

    @property
    def residual(self) -> int:
        return sum(self.residual_by_entity.values())

    def metadata(self) -> dict[str, object]:
        """What the asset records of the run (counts by entity type, never the text)."""
        return {
            "dagster/row_count": self.rows,
            "scrubbed": self.rows,
            "replaced_by_entity": self.replaced_by_entity,
            "residual_pii": self.residual,
            "residual_pii_by_entity": self.residual_by_entity,
            "nlp_engine": self.nlp_engine,
            "documents_analyzed": self.analyzed,
            "distinct_documents": self.distinct_documents,
        }


def pii_config(home: LakehouseHome, institution_id: str) -> PiiConfig:
    settings = load_institution_config(home, institution_id)
    if settings.roll_number_patterns:
        return PiiConfig(roll_number_patterns=settings.roll_number_patterns)
    return PiiConfig()


def institution_roster(home: LakehouseHome, institution_id: str) -> Roster:
    path = home.roster_csv(institution_id)
    return load_roster(path) if path.exists() else Roster.empty()


def roster_full_names(home: LakehouseHome, institution_id: str) -> list[str]:
    """Every full name on the roster (what the silver gate must never find in text)."""
    path = home.roster_csv(institution_id)
    if not path.exists():
        return []
    roster = read_reference_csv(path, ("person_id", "role", "full_name"), "roster")
    return roster.get_column("full_name").drop_nulls().str.strip_chars().unique().sort().to_list()


def silver_partition(
    *,
    home: LakehouseHome,
    ref: PartitionRef,
    key: bytes,
    scrubber: Scrubber = scrub_frame,
) -> tuple[ScrubStageResult, pl.DataFrame]:
    """Scrub and pseudonymise one partition and publish it with its counts atomically.

    `scrubber` is `lakehouse.pii.scrub_frame` in-process; the asset passes the Ray adapter for
    large partitions. Returns the counts and the published frame (for the silver gate).
    """
    consented = read_partition(home, "bronze", CONSENTED_TABLE, ref)
    config = pii_config(home, ref.institution_id)
    roster = institution_roster(home, ref.institution_id)
    scrubbed = scrubber(consented, text_columns=DEFAULT_TEXT_COLUMNS, roster=roster, config=config)
    frame = scrubbed.frame.with_columns(
        pseudonymise_series(
            consented.get_column("student_id"), institution_id=ref.institution_id, key=key
        ).alias("student_pseudonym"),
        pseudonymise_series(
            consented.get_column("grader_id"), institution_id=ref.institution_id, key=key
        ).alias("grader_pseudonym"),
    ).select(pl.col(c).cast(t) for c, t in SILVER_SCHEMA.items())
    residual = residual_scan(frame, text_columns=DEFAULT_TEXT_COLUMNS, roster=roster)
    result = ScrubStageResult(
        rows=frame.height,
        replaced_by_entity={k: v for k, v in scrubbed.counts.items() if v},
        residual_by_entity=dict(residual.counts),
        nlp_engine=scrubbed.nlp_engine,
        analyzed=scrubbed.analyzed,
        distinct_documents=scrubbed.distinct_documents,
    )
    tables = [("silver", SCRUBBED_TABLE), ("gold", counts_table(STAGE))]
    with partition_transaction(home, ref, tables) as staged:  # type: ignore[arg-type]
        staged[SCRUBBED_TABLE].write(frame)
        staged[counts_table(STAGE)].write(
            counts_frame(
                ref,
                stage=STAGE,
                totals={"scrubbed": frame.height, "residual_pii": result.residual},
                by_reason={
                    "replaced": result.replaced_by_entity,
                    "residual_pii": result.residual_by_entity,
                },
            )
        )
    return result, frame
