"""What a release reads: silver answers and curated documents, reward scores and the erasure audit,
for exactly the partitions the release includes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from lakehouse.erasure import AUDIT_EVENT, WITHDRAWAL_EVENT
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import read_partition_lazy
from lakehouse.reward.scoring import REWARD_SCORES_SCHEMA, SCORE_COLUMN, VERSION_COLUMN
from lakehouse.tables import CURATED_TABLE, SCRUBBED_TABLE

KEYS: Final[tuple[str, ...]] = ("institution_id", "night", "submission_id")
ANSWER_COLUMNS: Final[tuple[str, ...]] = (
    "submission_id",
    "institution_id",
    "night",
    "course_id",
    "assignment_id",
    "question_id",
    "student_pseudonym",
    "grader_pseudonym",
    "question_text",
    "answer_text",
    "feedback",
    "submitted_at",
    "grade",
    "max_grade",
    "language",
)
"""The `scrubbed_submissions` columns the exports read."""

CURATED_COLUMNS: Final[tuple[str, ...]] = (
    *ANSWER_COLUMNS,
    "language_detected",
    "minhash_dedup_cluster",
    "drop_reason",
    "kept",
)
"""The `curated_documents` columns the exports read (answer_text there is the corrected text)."""

OPTIONAL_CURATED: Final[dict[str, pl.DataType]] = {
    "non_answer_kind": pl.String(),
    "non_answer_pass": pl.Boolean(),
}
"""Columns of steps added to the chain later: a partition curated before has them as nulls (the
exports then judge non-answers themselves, `datasets.answer_pool`)."""

ERASED_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "student_pseudonym": pl.String(),
    "last_night": pl.Date(),
}
"""A student to leave out: every night (`last_night` null: an erasure) or the nights up to the
day consent was withdrawn (a withdrawal; answers landed after a later new consent are theirs to
give)."""


@dataclass(frozen=True)
class ReleaseInputs:
    """Every frame a release is built from, sorted by (institution, night, submission)."""

    scrubbed: pl.DataFrame
    curated: pl.DataFrame
    reward_scores: pl.DataFrame
    erased: pl.DataFrame
    """`ERASED_SCHEMA` rows of every erasure and consent withdrawal in the audit, for the
    institutions the release includes."""
    refs: tuple[PartitionRef, ...]
    missing_reward_partitions: tuple[PartitionRef, ...] = ()

    def digest(self) -> str:
        """A SHA-256 over the rows the release is built from (same polars version, same digest):
        a re-run partition that changed, or a new erasure, gives a new release id."""
        h = hashlib.sha256()
        for name, frame in (
            ("scrubbed", self.scrubbed),
            ("curated", self.curated),
            ("reward_scores", self.reward_scores),
            ("erased", self.erased),
        ):
            h.update(name.encode())
            h.update(str(frame.height).encode())
            if frame.height:
                h.update(frame.hash_rows(seed=0).to_numpy().tobytes())
        return h.hexdigest()


def sorted_refs(refs: Sequence[PartitionRef]) -> tuple[PartitionRef, ...]:
    """The distinct refs sorted by institution then night; an empty list is an error."""
    unique = sorted(set(refs), key=lambda r: (r.institution_id, r.night))
    if not unique:
        raise ValueError("a release needs at least one partition")
    return tuple(unique)


def _read(
    home: LakehouseHome,
    layer: str,
    table: str,
    refs: Sequence[PartitionRef],
    columns: Sequence[str],
    *,
    optional: dict[str, pl.DataType] | None = None,
) -> pl.DataFrame:
    frames = []
    for ref in refs:
        lazy = read_partition_lazy(home, layer, table, ref)  # type: ignore[arg-type]
        present = set(lazy.collect_schema().names())
        extra = [
            pl.col(c).cast(t) if c in present else pl.lit(None, dtype=t).alias(c)
            for c, t in (optional or {}).items()
        ]
        frames.append(lazy.select(*columns, *extra))
    return pl.concat(frames, how="vertical_relaxed").collect().sort(KEYS, maintain_order=True)


def read_erased(home: LakehouseHome, institutions: Sequence[str] | None = None) -> pl.DataFrame:
    """Every erased student and every consent withdrawal recorded in `lake/gold/audit/`
    (pseudonyms only; `ERASED_SCHEMA`), optionally only for some institutions; distinct, sorted."""
    events = (AUDIT_EVENT, WITHDRAWAL_EVENT)
    files = (
        sorted(f for e in events for f in home.audit.glob(f"{e}-*.parquet"))
        if home.audit.is_dir()
        else []
    )
    if not files:
        return pl.DataFrame(schema=ERASED_SCHEMA)
    frame = (
        pl.concat(
            [
                pl.scan_parquet(f).select(
                    pl.col("institution_id").cast(pl.String),
                    pl.col("student_pseudonym").cast(pl.String),
                    pl.when(pl.col("event") == WITHDRAWAL_EVENT)
                    .then(pl.col("requested_at").dt.date())
                    .otherwise(pl.lit(None, pl.Date))
                    .alias("last_night"),
                )
                for f in files
            ]
        )
        .collect()
        .drop_nulls(["institution_id", "student_pseudonym"])
    )
    if institutions is not None:
        frame = frame.filter(pl.col("institution_id").is_in(list(institutions)))
    # an erasure covers every night: it wins over any withdrawal of the same student
    frame = frame.sort("last_night", nulls_last=False).unique(
        ["institution_id", "student_pseudonym"], keep="first"
    )
    return frame.sort(list(ERASED_SCHEMA), nulls_last=False)


def without_erased(frame: pl.DataFrame, erased: pl.DataFrame | None) -> pl.DataFrame:
    """Drop the rows of erased students (every night) and of withdrawn ones (up to the night of
    the withdrawal), as the audit records them (`inputs.ERASED_SCHEMA`)."""
    if erased is None or erased.is_empty():
        return frame
    keys = ["institution_id", "student_pseudonym"]
    last = erased.select(
        *keys,
        (pl.col("last_night") if "last_night" in erased.columns else pl.lit(None, pl.Date)).alias(
            "_last"
        ),
        _hit=pl.lit(True),
    ).unique(keys)
    marked = frame.join(last, on=keys, how="left", nulls_equal=False)
    gone = pl.col("_hit").fill_null(False) & (
        pl.col("_last").is_null() | (pl.col("night") <= pl.col("_last"))
    )
    return marked.filter(~gone).drop("_last", "_hit")


def load_inputs(home: LakehouseHome, refs: Sequence[PartitionRef]) -> ReleaseInputs:
    """Read the release's partitions. `scrubbed_submissions` and `curated_documents` must exist
    for every partition (FileNotFoundError names the one that does not); `reward_scores` may be
    missing for a partition: its answers then have no rm_score."""
    ordered = sorted_refs(refs)
    scrubbed = _read(home, "silver", SCRUBBED_TABLE, ordered, ANSWER_COLUMNS)
    curated = _read(
        home, "silver", CURATED_TABLE, ordered, CURATED_COLUMNS, optional=OPTIONAL_CURATED
    )
    scored = [
        r for r in ordered if any(home.partition_dir("gold", "reward_scores", r).glob("*.parquet"))
    ]
    missing = tuple(r for r in ordered if r not in scored)
    if scored:
        scores = _read(home, "gold", "reward_scores", scored, tuple(REWARD_SCORES_SCHEMA))
    else:
        scores = pl.DataFrame(schema=REWARD_SCORES_SCHEMA)
    scores = scores.select(pl.col(c).cast(t) for c, t in REWARD_SCORES_SCHEMA.items())
    institutions = sorted({r.institution_id for r in ordered})
    return ReleaseInputs(
        scrubbed=scrubbed,
        curated=curated,
        reward_scores=scores.unique(list(KEYS), keep="first").sort(KEYS),
        erased=read_erased(home, institutions),
        refs=ordered,
        missing_reward_partitions=missing,
    )


__all__ = [
    "ANSWER_COLUMNS",
    "CURATED_COLUMNS",
    "KEYS",
    "OPTIONAL_CURATED",
    "SCORE_COLUMN",
    "VERSION_COLUMN",
    "ReleaseInputs",
    "load_inputs",
    "read_erased",
    "sorted_refs",
    "without_erased",
]
