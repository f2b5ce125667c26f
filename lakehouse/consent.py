"""The consent rules: which accepted records may be used (`lakehouse.stages.consent` applies them).

A record is usable only when its student's latest consent row says `granted` and, for a minor,
`guardian_consent` is true and verified: the row names who verified it and when (`verified_by`,
`verified_at`; India's DPDP Act 2023, section 9, asks for *verifiable* consent of a guardian). A
roster `date_of_birth` that contradicts `is_minor` on the record's night excludes the record too:
a student declared an adult who is 17 must not be used on an adult's consent. Everything else is
excluded and counted by reason. Parsing fails safe: an unreadable `is_minor` counts as a minor,
an unreadable `guardian_consent` as no consent, an unknown status as no valid consent.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.contract import ConsentStatus, ExclusionReason
from lakehouse.erasure import load_erasure_requests
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.reference import read_reference_csv
from lakehouse.tables import CONSENTED_TABLE
from lakehouse.validate import parse_timestamp

CONSENT_COLUMNS: Final = ("student_id", "status", "is_minor", "guardian_consent", "updated_at")
GUARDIAN_VERIFICATION_COLUMNS: Final = ("verified_by", "verified_at")
ADULT_AGE_YEARS: Final = 18
_TRUE: Final = ("true", "t", "yes", "y", "1")
_FALSE: Final = ("false", "f", "no", "n", "0")


def load_consent(path: Path) -> pl.DataFrame:
    """The latest consent row per student (`updated_at`, then file order, decides), typed.

    A missing file means nobody has consented: every record is excluded as `no_consent_record`.
    """
    if not path.exists():
        return pl.DataFrame(
            schema={
                "student_id": pl.String,
                "status": pl.String,
                "is_minor": pl.Boolean,
                "guardian_consent": pl.Boolean,
                "guardian_verified": pl.Boolean,
            }
        )
    raw = read_reference_csv(path, CONSENT_COLUMNS, "consent")
    raw = raw.with_columns(
        pl.lit(None, pl.String).alias(c) for c in GUARDIAN_VERIFICATION_COLUMNS if c not in raw
    )
    flag = pl.col("is_minor").str.strip_chars().str.to_lowercase()
    guardian = pl.col("guardian_consent").str.strip_chars().str.to_lowercase()
    verified = (pl.col("verified_by").str.strip_chars().str.len_chars() > 0) & parse_timestamp(
        pl.col("verified_at")
    ).is_not_null()
    return (
        raw.with_row_index("_row")
        .with_columns(
            pl.col("student_id").str.strip_chars(),
            pl.col("status").str.strip_chars().str.to_lowercase(),
            (~flag.is_in(_FALSE)).fill_null(True).alias("is_minor"),
            guardian.is_in(_TRUE).fill_null(False).alias("guardian_consent"),
            verified.fill_null(False).alias("guardian_verified"),
            parse_timestamp(pl.col("updated_at")).alias("_updated"),
        )
        .sort("_updated", "_row", nulls_last=False)
        .unique("student_id", keep="last", maintain_order=True)
        .select("student_id", "status", "is_minor", "guardian_consent", "guardian_verified")
    )


def load_birth_dates(path: Path) -> pl.DataFrame:
    """`student_id`, `date_of_birth` of the roster's students that give one (the column is
    optional; an unreadable date counts as none)."""
    empty = pl.DataFrame(schema={"student_id": pl.String, "date_of_birth": pl.Date})
    if not path.exists():
        return empty
    roster = read_reference_csv(path, ("person_id", "role"), "roster")
    if "date_of_birth" not in roster.columns:
        return empty
    return (
        roster.filter(pl.col("role").str.strip_chars().str.to_lowercase() == "student")
        .select(
            student_id=pl.col("person_id").str.strip_chars(),
            date_of_birth=pl.col("date_of_birth")
            .str.strip_chars()
            .str.to_date("%Y-%m-%d", strict=False),
        )
        .drop_nulls()
        .unique("student_id", keep="first", maintain_order=True)
    )


def judge_submissions(
    submissions: pl.LazyFrame,
    *,
    consent: pl.DataFrame,
    erased: pl.DataFrame,
    birth_dates: pl.DataFrame,
    night: pl.Expr,
) -> pl.LazyFrame:
    """Submissions with the consent columns (`consent_*`), `erased`, `birth_minor` (whether the
    roster's date of birth makes the student a minor on `night`; null without one) and the
    exclusion reason `_exclusion`."""
    adult_from = pl.col("date_of_birth").dt.offset_by(f"{ADULT_AGE_YEARS}y")
    return (
        submissions.join(
            consent.lazy().rename(
                {c: f"consent_{c}" for c in consent.columns if c != "student_id"}
            ),
            on="student_id",
            how="left",
            maintain_order="left",
        )
        .join(birth_dates.lazy(), on="student_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("student_id").is_in(erased.get_column("student_id").implode()).alias("erased"),
            (night < adult_from).alias("birth_minor"),
        )
        .with_columns(exclusion_reason().alias("_exclusion"))
        .drop("date_of_birth")
    )


def exclusion_reason() -> pl.Expr:
    """An expression over a frame joined with consent columns (prefixed `consent_`), an
    `erased` flag and `birth_minor`: the exclusion reason, or null when the record may be used."""
    status = pl.col("consent_status")
    minor = pl.col("consent_is_minor")
    return (
        pl.when(pl.col("erased"))
        .then(pl.lit(str(ExclusionReason.ERASURE_REQUESTED)))
        .when(status.is_null())
        .then(pl.lit(str(ExclusionReason.NO_CONSENT_RECORD)))
        .when(status == str(ConsentStatus.WITHDRAWN))
        .then(pl.lit(str(ExclusionReason.CONSENT_WITHDRAWN)))
        .when(status == str(ConsentStatus.PENDING))
        .then(pl.lit(str(ExclusionReason.CONSENT_PENDING)))
        .when(status != str(ConsentStatus.GRANTED))
        .then(pl.lit(str(ExclusionReason.CONSENT_INVALID)))
        .when(pl.col("birth_minor").is_not_null() & (pl.col("birth_minor") != minor))
        .then(pl.lit(str(ExclusionReason.MINOR_STATUS_CONTRADICTS_BIRTH_DATE)))
        .when(minor & ~pl.col("consent_guardian_consent"))
        .then(pl.lit(str(ExclusionReason.MINOR_WITHOUT_GUARDIAN_CONSENT)))
        .when(minor & ~pl.col("consent_guardian_verified"))
        .then(pl.lit(str(ExclusionReason.GUARDIAN_CONSENT_UNVERIFIED)))
        .otherwise(pl.lit(None, pl.String))
    )


def partitions_losing_consent(home: LakehouseHome, institution_id: str) -> list[PartitionRef]:
    """The institution's partitions whose published `consented_submissions` hold a record that
    the current consent file (or erasure requests, or roster) no longer allows: a withdrawal,
    a consent back to pending, a guardian's consent revoked. Re-running exactly these applies the
    change to every layer downstream, like an erasure (a columnar scan of `student_id` only)."""
    root = home.table_dir("bronze", CONSENTED_TABLE) / f"institution={institution_id}"
    if not root.is_dir():
        return []
    consent = load_consent(home.consent_csv(institution_id))
    erased = load_erasure_requests(home.erasure_dir(institution_id))
    birth_dates = load_birth_dates(home.roster_csv(institution_id))
    losing: list[PartitionRef] = []
    for folder in sorted(root.glob("night=*")):
        files = sorted(folder.glob("*.parquet"))
        if not files:
            continue
        night = date.fromisoformat(folder.name.removeprefix("night="))
        students = pl.scan_parquet(files).select("student_id").unique()
        judged = judge_submissions(
            students, consent=consent, erased=erased, birth_dates=birth_dates, night=pl.lit(night)
        )
        if judged.select(pl.col("_exclusion").is_not_null().any()).collect().item():
            losing.append(PartitionRef(institution_id, night))
    return losing
