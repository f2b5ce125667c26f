"""Each gate: a clean frame passes; a frame built to break it fails, naming the expectation, with
example rows that show only safe columns."""

from __future__ import annotations

import re
import socket

import polars as pl
import pytest

from expectations.gate import PROVENANCE_EXAMPLE_COLUMNS
from expectations.gate_result import GateResult
from expectations.runner import validate
from expectations.suites import (
    bronze_suite,
    consent_gate_frame,
    consent_suite,
    curated_suite,
    exports_suite,
    quarantine_rate,
    reward_coverage,
    reward_suite,
    silver_gate_frame,
    silver_suite,
)
from expectations.suites.exports import validate_export
from expectations.thresholds import (
    BronzeThresholds,
    ConsentThresholds,
    CuratedThresholds,
    ExportsThresholds,
    RewardThresholds,
    SilverThresholds,
)
from tests.expectations.gate_frames import (
    RAW_IDS,
    ROSTER_NAMES,
    bronze_frame,
    curated_frame,
    export_frames,
    reward_frame,
    silver_frame,
)

OK_RATE = {"quarantine_rate": 0.01}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt during a validation fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a gate tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _silver():
    return silver_suite(
        thresholds=SilverThresholds(), raw_student_ids=RAW_IDS, roster_names=ROSTER_NAMES
    )


# --- bronze -------------------------------------------------------------------------------------


def test_bronze_clean_passes() -> None:
    result = validate(
        frame=bronze_frame(), suite=bronze_suite(thresholds=BronzeThresholds()), metrics=OK_RATE
    )
    assert result.success and result.passed, result.failed_expectations
    assert result.examples == ()
    assert all(o.success for o in result.expectations)


def test_bronze_broken_fails_with_names_and_provenance_only_examples() -> None:
    frame = bronze_frame()
    broken = pl.concat(
        [
            frame.with_columns(
                grade=pl.when(pl.col("source_line") == 3).then(11.0).otherwise(pl.col("grade")),
                answer_text=pl.when(pl.col("source_line") == 5)
                .then(None)
                .otherwise(pl.col("answer_text")),
            ),
            frame.head(1),  # duplicate submission_id
        ]
    )
    result = validate(
        frame=broken,
        suite=bronze_suite(thresholds=BronzeThresholds()),
        metrics={"quarantine_rate": quarantine_rate(landed=100, quarantined=30)},
    )
    assert not result.success and not result.passed
    assert set(result.failed_expectations) == {
        "unique:submission_id",
        "grade_at_most_max_grade",
        "not_null:answer_text",
        "quarantine_rate_below_bound",
    }
    observed = {o.name: o.observed_value for o in result.expectations}
    assert observed["quarantine_rate_below_bound"] == "0.3"
    assert observed["unique:submission_id"].startswith("2 of 13 rows")
    assert result.examples
    for row in result.examples:
        assert set(row) <= {"expectation", "row", *PROVENANCE_EXAMPLE_COLUMNS}
        rendered = " ".join(str(v) for v in row.values())
        assert "STU" not in rendered and "Priya" not in rendered and "9876543210" not in rendered
    lines = {(r["expectation"], r["source_line"]) for r in result.examples}
    assert ("grade_at_most_max_grade", 3) in lines
    assert ("not_null:answer_text", 5) in lines


def test_bronze_wrong_type_and_missing_column_fail() -> None:
    frame = bronze_frame().with_columns(pl.col("grade").cast(pl.String)).drop("language")
    result = validate(
        frame=frame, suite=bronze_suite(thresholds=BronzeThresholds()), metrics=OK_RATE
    )
    assert {"type:grade", "column:language"} <= set(result.failed_expectations)
    observed = {o.name: o.observed_value for o in result.expectations}
    assert observed["type:grade"] == "str"


def test_partition_metric_is_required() -> None:
    with pytest.raises(ValueError, match="quarantine_rate"):
        validate(frame=bronze_frame(), suite=bronze_suite(thresholds=BronzeThresholds()))


def test_sampling_never_samples_full_scan_checks() -> None:
    frame = pl.concat([bronze_frame(400), bronze_frame(400).slice(399, 1)])
    suite = bronze_suite(thresholds=BronzeThresholds(sample_rows=50))
    result = validate(frame=frame, suite=suite, metrics=OK_RATE)
    outcomes = {o.name: o for o in result.expectations}
    assert result.sampled_rows == 50 and result.row_count == 401
    assert not outcomes["unique:submission_id"].success
    assert not outcomes["unique:submission_id"].sampled
    assert outcomes["not_null:answer_text"].sampled
    assert outcomes["not_null:answer_text"].element_count == 50
    assert [e["row"] for e in result.examples] == [399, 400]


# --- consent ------------------------------------------------------------------------------------


def _consent_table(**status: str) -> pl.DataFrame:
    ids = RAW_IDS
    return pl.DataFrame(
        {
            "student_id": ids,
            "status": [status.get(i, "granted") for i in ids],
            "is_minor": [i == "STU00004" for i in ids],
            "guardian_consent": [False] * len(ids),
        }
    )


def _erased(*ids: str) -> pl.DataFrame:
    return pl.DataFrame({"student_id": list(ids)}, schema={"student_id": pl.String})


def test_consent_clean_passes() -> None:
    consented = bronze_frame().filter(pl.col("student_id") != "STU00004")
    frame = consent_gate_frame(
        consented=consented, consent=_consent_table(), erasure_requests=_erased("STU00011")
    ).filter(pl.col("erased").not_())
    assert "student_id" not in frame.columns
    result = validate(frame=frame, suite=consent_suite(thresholds=ConsentThresholds()))
    assert result.success, result.failed_expectations


def test_consent_excluded_students_fail_by_reason() -> None:
    consent = _consent_table(STU00001="withdrawn").filter(pl.col("student_id") != "STU00002")
    frame = consent_gate_frame(
        consented=bronze_frame(), consent=consent, erasure_requests=_erased("STU00003")
    )
    result = validate(frame=frame, suite=consent_suite(thresholds=ConsentThresholds()))
    assert set(result.failed_expectations) == {
        "has_consent_record",
        "consent_granted",
        "minor_has_guardian_consent",
        "no_erasure_request",
    }
    by_name = {o.name: o.unexpected_count for o in result.expectations}
    assert by_name["minor_has_guardian_consent"] == 1
    assert by_name["no_erasure_request"] == 1
    for row in result.examples:
        assert set(row) <= {"expectation", "row", *PROVENANCE_EXAMPLE_COLUMNS}
    assert {
        r["submission_id"] for r in result.examples if r["expectation"] == "no_erasure_request"
    } == {"sub-000003"}


# --- silver -------------------------------------------------------------------------------------


def test_silver_clean_passes() -> None:
    result = validate(frame=silver_gate_frame(silver_frame()), suite=_silver())
    assert result.success, result.failed_expectations


def _silver_with_answer_2(text: str) -> GateResult:
    frame = silver_frame().with_columns(
        answer_text=pl.when(pl.col("submission_id") == "sub-000002")
        .then(pl.lit(text))
        .otherwise(pl.col("answer_text"))
    )
    return validate(frame=silver_gate_frame(frame), suite=_silver())


@pytest.mark.parametrize(
    ("text", "expectation"),
    [
        ("my aadhaar is 2345 6789 0124 ok", "no_aadhaar"),
        ("aadhaar 234567890124", "no_aadhaar"),
        ("PAN ABCPE1234F here", "no_pan"),
        ("call +91 98765 43210", "no_phone"),
        ("call 09876543210", "no_phone"),
        ("call 9876543210 now", "no_phone"),
        ("Desk: +41 (0)96 471 07 95", "no_phone"),
        ("mail priya.s@school.edu.in", "no_email"),
        ("My IBAN is GB59IFUE40226315499137", "no_iban"),
        ("His social security number is 531-21-7351", "no_us_ssn"),
    ],
)
def test_silver_residual_identifier_fails_with_a_count_only(text: str, expectation: str) -> None:
    result = _silver_with_answer_2(text)
    assert expectation in result.failed_expectations
    examples = [e for e in result.examples if e["expectation"] == expectation]
    (example,) = examples
    assert example["submission_id"] == "sub-000002"
    assert example["student_pseudonym"] == "ps_00000002"
    assert example[f"pii_hits:{expectation.removeprefix('no_').upper()}"] == 1
    assert all(not isinstance(v, str) or text not in v for v in example.values())


@pytest.mark.parametrize(
    ("text", "expectation"),
    [
        ("I am STU00007 by the way", "no_raw_student_id:answer_text"),
        ("regards, priya SHARMA", "no_roster_name:answer_text"),
        ("regards, priya SHARMA, call me on 022 4567 8912", "no_roster_name:answer_text"),
    ],
)
def test_silver_raw_id_or_roster_name_fails_with_a_redacted_example(
    text: str, expectation: str
) -> None:
    result = _silver_with_answer_2(text)
    assert expectation in result.failed_expectations
    (example,) = [e for e in result.examples if e["expectation"] == expectation]
    assert example["submission_id"] == "sub-000002"
    shown = str(example["masked:answer_text"])
    assert "[REDACTED]" in shown
    for leaked in ("priya", "STU00007", "SHARMA", "4567", "8912"):
        assert leaked not in shown


def test_silver_ordinary_numbers_are_not_identifiers() -> None:
    text = (
        "In 2024, 1500 packets of 512 bytes took 0.25 s; see RFC 793 and ISBN 978-0-13-110362-7."
        " Total marks 234567890123 and 2345 6789 0123 (no valid Verhoeff check digit)."
    )
    frame = silver_frame().with_columns(answer_text=pl.lit(text))
    assert validate(frame=silver_gate_frame(frame), suite=_silver()).success


@pytest.mark.parametrize(
    "text",
    [
        # issue 13: real answers and Wikipedia snippets the old phone regex blocked
        "the probability value equals to 0.050813731. Since the queue is full",
        "P(B)=0,05081373133 which means the system is blocked",
        "with a probability of 0,9491862687. We now multiply",
        "published as ISBN 0310499615 by Zondervan",
        "Chess openings (978-0713490459) was reprinted",
        "Abby Mason (1800-1822), daughter of a mayor from 1698 until 1699",
        "so the expected time is 60 - 3.04882388 = 56.9511 seconds",
    ],
)
def test_silver_decimals_isbns_and_years_do_not_block(text: str) -> None:
    frame = silver_frame().with_columns(answer_text=pl.lit(text), feedback=pl.lit(text))
    result = validate(frame=silver_gate_frame(frame), suite=_silver())
    assert result.success, result.failed_expectations


def test_silver_raw_id_as_pseudonym_and_missing_column_fail() -> None:
    frame = (
        silver_frame()
        .with_columns(
            student_pseudonym=pl.when(pl.col("submission_id") == "sub-000001")
            .then(pl.lit("STU00001"))
            .otherwise(pl.col("student_pseudonym"))
        )
        .drop("language")
    )
    result = validate(frame=silver_gate_frame(frame), suite=_silver())
    assert set(result.failed_expectations) == {
        "column:language",
        "no_raw_student_id:student_pseudonym",
    }
    (example,) = result.examples
    assert "STU00001" not in str(example)


# --- curated ------------------------------------------------------------------------------------


def test_curated_clean_passes() -> None:
    result = validate(frame=curated_frame(), suite=curated_suite(thresholds=CuratedThresholds()))
    assert result.success, result.failed_expectations


def test_curated_broken_fails() -> None:
    frame = curated_frame().with_columns(
        drop_reason=pl.when(pl.col("submission_id") == "sub-000001")
        .then(pl.lit("language"))
        .otherwise(pl.col("drop_reason")),
        language_detected=pl.lit("fr"),
        quality_score=pl.when(pl.col("submission_id") == "sub-000003")
        .then(1.5)
        .otherwise(pl.col("quality_score")),
        perplexity=pl.when(pl.col("submission_id") == "sub-000004")
        .then(0.0)
        .otherwise(pl.col("perplexity")),
    )
    result = validate(
        frame=frame, suite=curated_suite(thresholds=CuratedThresholds(max_kept_fraction=0.5))
    )
    assert set(result.failed_expectations) == {
        "no_drop_reason_when_kept",
        "language_mix",
        "kept_fraction_within_bounds",
        "quality_score_in_range",
        "perplexity_positive",
    }
    observed = {o.name: o.observed_value for o in result.expectations}
    assert observed["kept_fraction_within_bounds"] == f"{8 / 12:.6g}"


def test_curated_missing_score_column_fails() -> None:
    result = validate(
        frame=curated_frame().drop("perplexity"),
        suite=curated_suite(thresholds=CuratedThresholds()),
    )
    assert {"column:perplexity", "perplexity_positive"} <= set(result.failed_expectations)


# --- reward -------------------------------------------------------------------------------------


def test_reward_clean_passes() -> None:
    result = validate(
        frame=reward_frame(),
        suite=reward_suite(thresholds=RewardThresholds()),
        metrics={"coverage": reward_coverage(scored=12, scrubbed=12)},
    )
    assert result.success, result.failed_expectations


def test_reward_broken_fails() -> None:
    frame = reward_frame().with_columns(
        rm_score=pl.when(pl.col("submission_id") == "sub-000001")
        .then(None)
        .when(pl.col("submission_id") == "sub-000002")
        .then(1.2)
        .otherwise(pl.col("rm_score")),
        rm_model_version=pl.lit(None, pl.String),
    )
    result = validate(
        frame=frame,
        suite=reward_suite(thresholds=RewardThresholds()),
        metrics={"coverage": reward_coverage(scored=12, scrubbed=20)},
    )
    assert set(result.failed_expectations) == {
        "not_null:rm_score",
        "rm_score_in_range",
        "not_null:rm_model_version",
        "coverage_at_least_bound",
    }


# --- exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["pretrain", "sft", "preference", "reward", "critique"])
def test_exports_clean_passes(dataset: str) -> None:
    result = validate_export(
        dataset=dataset,  # type: ignore[arg-type]
        frame=export_frames()[dataset],
        thresholds=ExportsThresholds(),
    )
    assert result.success, result.failed_expectations
    assert result.gate == f"exports_{dataset}"


def test_exports_broken_fail() -> None:
    frames = export_frames()
    sft = frames["sft"].with_columns(response=pl.Series(["Reliable.", "  \n"]))
    result = validate_export(dataset="sft", frame=sft, thresholds=ExportsThresholds())
    assert result.failed_expectations == ("not_empty:response", "trivial_share_within_bound")
    assert result.examples[0]["row"] == 1

    pref = frames["preference"].with_columns(rejected_grade=pl.Series([9.0, 1.0]))
    result = validate_export(dataset="preference", frame=pref, thresholds=ExportsThresholds())
    assert result.failed_expectations == ("chosen_graded_higher",)
    assert result.examples[0]["chosen_grade"] == 9.0

    pretrain = frames["pretrain"].drop("created").with_columns(extra=pl.lit(1))
    result = validate(
        frame=pretrain, suite=exports_suite(dataset="pretrain", thresholds=ExportsThresholds())
    )
    assert result.failed_expectations == ("schema",)


def test_example_values_are_plain_and_truncated() -> None:
    long = "x" * 500 + " Priya Sharma 9876543210"
    frame = silver_frame().with_columns(answer_text=pl.lit(long))
    result = validate(frame=silver_gate_frame(frame), suite=_silver(), max_examples=2)
    shown = [r for r in result.examples if r["expectation"] == "no_roster_name:answer_text"]
    assert len(shown) == 2
    assert all(len(str(r["masked:answer_text"])) <= 160 for r in shown)
    assert not any(re.search(r"9876543210|Priya", str(r)) for r in result.examples)
