"""The one rights path for erasure and consent withdrawal (DPDP Act 2023, s. 6(6), 8(7), 12).

A withdrawal takes effect like an erasure (shared/CONTRACT.md): processing stops and the data is
erased, for every night already processed. The students to forget are an institution's erasure
requests and the students whose latest consent row says `withdrawn`. `apply_rights` does, for
them, everything that does not need a partition re-run, all idempotent:

- records each request in `lake/gold/audit/` by pseudonym (`erasure_applied`,
  `consent_withdrawal_applied`, with what was done, in counts and release ids);
- removes their entries from the dedup index (every version) and retires every model folder of
  any institution trained on them;
- withdraws every release of every dataset that held them (`exports.withdrawal`);
- rewrites the landed batch files and `roster.csv` without them (`lakehouse.redaction`; the one
  place the pipeline modifies landing), one `landing_redacted` event per changed night.

`partitions_to_rerun` lists the partitions, of any institution, whose tables still hold them or
point at their submissions; re-running those (and the redacted nights) rewrites every lake table,
the quarantine included, without them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final

import polars as pl

from lakehouse.consent import CONSENT_COLUMNS, load_consent
from lakehouse.contract import ConsentStatus
from lakehouse.erasure import (
    AUDIT_EVENT,
    WITHDRAWAL_EVENT,
    audit_erasures,
    load_erasure_requests,
    partitions_holding,
    write_audit_event,
)
from lakehouse.exports.inputs import read_erased
from lakehouse.exports.withdrawal import withdraw_releases
from lakehouse.filters.dedup_index import DedupIndex
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import load_institution_config
from lakehouse.model_lineage import retire_models_trained_on
from lakehouse.pseudonym import pseudonymise_series
from lakehouse.redaction import Needles, redact_night, redact_roster
from lakehouse.reference import read_reference_csv
from lakehouse.tables import CURATED_TABLE
from lakehouse.validate import parse_timestamp

LANDING_REDACTED_EVENT: Final = "landing_redacted"
_POINTER_COLUMNS: Final = (
    "exact_dedup_duplicate_of",
    "minhash_dedup_duplicate_of",
    "paragraph_dedup_duplicate_of",
)


def forgotten_students(home: LakehouseHome, institution_id: str) -> pl.DataFrame:
    """`student_id`, `event` (`erasure_applied` | `consent_withdrawal_applied`) and
    `requested_at` of every student of the institution whose data must go; an erasure wins over
    a withdrawal of the same student."""
    erasures = load_erasure_requests(home.erasure_dir(institution_id)).select(
        "student_id", pl.lit(AUDIT_EVENT).alias("event"), "requested_at"
    )
    path = home.consent_csv(institution_id)
    withdrawn = load_consent(path).filter(pl.col("status") == str(ConsentStatus.WITHDRAWN))
    if withdrawn.height:
        times = (
            read_reference_csv(path, CONSENT_COLUMNS, "consent")
            .select(
                pl.col("student_id").str.strip_chars(),
                parse_timestamp(pl.col("updated_at")).alias("requested_at"),
            )
            .group_by("student_id")
            .agg(pl.col("requested_at").max())
        )
        withdrawn = withdrawn.join(times, on="student_id", how="left")
    else:
        withdrawn = withdrawn.with_columns(
            pl.lit(None, pl.Datetime("us", "UTC")).alias("requested_at")
        )
    withdrawals = withdrawn.select(
        "student_id",
        pl.lit(WITHDRAWAL_EVENT).alias("event"),
        pl.col("requested_at").cast(pl.Datetime("us", "UTC")),
    ).filter(~pl.col("student_id").is_in(erasures["student_id"].implode()))
    return pl.concat([erasures, withdrawals]).sort("student_id")


def roster_names(home: LakehouseHome, institution_id: str, ids: list[str]) -> list[str]:
    path = home.roster_csv(institution_id)
    if not ids or not path.is_file():
        return []
    roster = read_reference_csv(path, ("person_id", "role"), "roster")
    names = [c for c in ("full_name", "name_devanagari") if c in roster.columns]
    rows = roster.filter(pl.col("person_id").str.strip_chars().is_in(ids))
    return [n for c in names for n in rows[c].drop_nulls().to_list() if len(n.strip()) > 3]


def forgotten_needles(home: LakehouseHome, institution_id: str) -> Needles:
    """What finds the institution's forgotten students in a record: their ids and the roster
    names still on file (the rights path removes their roster rows, after which only the ids
    remain)."""
    ids = forgotten_students(home, institution_id)["student_id"].to_list()
    return Needles(tuple(ids), tuple(roster_names(home, institution_id, ids)))


@dataclass(frozen=True)
class RightsReport:
    """What one application of the rights path did (counts and ids, never a raw id)."""

    institution_id: str
    students: int
    index_entries_removed: int
    models_retired: int
    releases_withdrawn: tuple[str, ...]
    landing_records_removed: dict[date, int] = field(default_factory=dict)
    roster_rows_removed: int = 0


def _redact_landing(
    home: LakehouseHome, institution_id: str, ids: list[str], names: list[str]
) -> dict[date, int]:
    needles = Needles(tuple(ids), tuple(names))
    changed: dict[date, int] = {}
    for ref in home.landed_partitions():
        if ref.institution_id != institution_id:
            continue
        removed = redact_night(home.night_dir(ref), needles)
        if removed:
            changed[ref.night] = sum(removed.values())
    return changed


def apply_rights(home: LakehouseHome, institution_id: str, *, key: bytes) -> RightsReport:
    """Apply the institution's erasures and withdrawals everywhere a re-run cannot reach (see
    the module docstring); safe to repeat: a second call finds nothing left to do."""
    students = forgotten_students(home, institution_id)
    if students.is_empty():
        return RightsReport(institution_id, 0, 0, 0, ())
    ids = students["student_id"].to_list()
    pseudonyms = pseudonymise_series(students["student_id"], institution_id=institution_id, key=key)
    index = home.dedup_index
    removed = DedupIndex(index).erase(student_pseudonyms=pseudonyms) if index.is_dir() else 0
    retired = retire_models_trained_on(home, pseudonyms.to_list())
    names = roster_names(home, institution_id, ids)
    landing = _redact_landing(home, institution_id, ids, names)
    roster_rows = redact_roster(home.roster_csv(institution_id), ids)
    summary = (
        f"index entries removed: {removed}; models retired: {len(retired)}; landing records "
        f"removed: {sum(landing.values())} in {len(landing)} nights; roster rows: {roster_rows}"
    )
    by_event = students.with_columns(pseudonyms.alias("pseudonym"))
    erasures = by_event.filter(pl.col("event") == AUDIT_EVENT)
    audit_erasures(
        home,
        institution_id,
        pseudonyms=erasures["pseudonym"],
        requests=erasures,
        detail=summary,
    )
    for row in by_event.filter(pl.col("event") == WITHDRAWAL_EVENT).iter_rows(named=True):
        at = row["requested_at"]
        write_audit_event(
            home,
            f"{WITHDRAWAL_EVENT}-{institution_id}-{row['pseudonym']}-"
            f"{at.strftime('%Y%m%dT%H%M%S') if at else 'undated'}",
            event=WITHDRAWAL_EVENT,
            institution_id=institution_id,
            pseudonym=row["pseudonym"],
            requested_at=at,
            detail=summary,
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    for night, count in sorted(landing.items()):
        # a night is redacted again only when a new landed file holds the students: each time
        # is its own event, which the erasure sensor turns into one re-run of the night
        write_audit_event(
            home,
            f"{LANDING_REDACTED_EVENT}-{institution_id}-{night.isoformat()}-{stamp}",
            event=LANDING_REDACTED_EVENT,
            institution_id=institution_id,
            night=night,
            detail=f"{count} records removed from the landed files",
        )
    # after the audit: the withdrawal reads who is to be forgotten from it
    withdrawn = withdraw_releases(home, read_erased(home, [institution_id]))
    return RightsReport(
        institution_id=institution_id,
        students=students.height,
        index_entries_removed=removed,
        models_retired=len(retired),
        releases_withdrawn=tuple(f"{d}/{r}" for d, r in withdrawn),
        landing_records_removed=landing,
        roster_rows_removed=roster_rows,
    )


def redacted_nights(home: LakehouseHome) -> pl.DataFrame:
    """Every `landing_redacted` audit event: `event_id` (its file name), institution, night."""
    files = (
        sorted(home.audit.glob(f"{LANDING_REDACTED_EVENT}-*.parquet"))
        if home.audit.is_dir()
        else []
    )
    if not files:
        return pl.DataFrame(
            schema={"event_id": pl.String, "institution_id": pl.String, "night": pl.Date}
        )
    return pl.concat(
        [
            pl.read_parquet(f).select(pl.lit(f.stem).alias("event_id"), "institution_id", "night")
            for f in files
        ]
    )


def _submission_pointers(
    home: LakehouseHome, institution_id: str, pseudonyms: list[str]
) -> list[str]:
    """`<institution>/<submission>` of the students' curated documents (what other documents'
    `*_duplicate_of` columns point at)."""
    root = home.table_dir("silver", CURATED_TABLE) / f"institution={institution_id}"
    files = sorted(root.glob("night=*/*.parquet")) if root.is_dir() else []
    if not files or not pseudonyms:
        return []
    return (
        pl.scan_parquet(files, hive_partitioning=False)
        .filter(pl.col("student_pseudonym").is_in(pseudonyms))
        .select(pl.lit(f"{institution_id}/") + pl.col("submission_id"))
        .collect()
        .to_series()
        .to_list()
    )


def partitions_referencing(home: LakehouseHome, pointers: list[str]) -> list[PartitionRef]:
    """Partitions of any institution whose curated documents point at these submissions."""
    root = home.table_dir("silver", CURATED_TABLE)
    if not pointers or not root.is_dir():
        return []
    found: list[PartitionRef] = []
    wanted = pl.Series(pointers, dtype=pl.String).implode()
    for folder in sorted(root.glob("institution=*/night=*")):
        files = sorted(folder.glob("*.parquet"))
        if not files:
            continue
        lazy = pl.scan_parquet(files, hive_partitioning=False)
        columns = [c for c in _POINTER_COLUMNS if c in lazy.collect_schema().names()]
        if not columns:
            continue
        hit = lazy.select(pl.any_horizontal(pl.col(c).is_in(wanted) for c in columns).any())
        if hit.collect().item():
            inst = folder.parent.name.removeprefix("institution=")
            found.append(PartitionRef(inst, date.fromisoformat(folder.name.removeprefix("night="))))
    return found


def partitions_to_rerun(
    home: LakehouseHome, institution_id: str, *, key: bytes
) -> list[PartitionRef]:
    """The partitions, of any institution, that still hold the institution's forgotten students
    (bronze rows) or point at their submissions (dedup pointers), in precedence order."""
    students = forgotten_students(home, institution_id)
    ids = students["student_id"].to_list()
    pseudonyms = pseudonymise_series(
        students["student_id"], institution_id=institution_id, key=key
    ).to_list()
    refs = set(partitions_holding(home, institution_id, ids))
    refs |= set(
        partitions_referencing(home, _submission_pointers(home, institution_id, pseudonyms))
    )
    return sorted(refs, key=lambda r: r.precedence())


def copy_detection_exclusions(home: LakehouseHome, institution_id: str, *, key: bytes) -> list[str]:
    """Pseudonyms of the institution's minors (consent file), left out of copy detection unless
    its settings opt in (`copy_detection_includes_minors`): a copy report names students, and a
    child's is not made without the institution deciding so (DPDP Act 2023, s. 9)."""
    if load_institution_config(home, institution_id).copy_detection_includes_minors:
        return []
    minors = load_consent(home.consent_csv(institution_id)).filter(pl.col("is_minor"))
    return pseudonymise_series(
        minors["student_id"], institution_id=institution_id, key=key
    ).to_list()
