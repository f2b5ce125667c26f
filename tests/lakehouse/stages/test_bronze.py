"""Bronze ingestion against every contract violation, on hand-made files of every format."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import polars as pl
import pytest

from lakehouse.contract import BRONZE_SCHEMA, QUARANTINE_SCHEMA
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from lakehouse.stages.bronze import LandingFolderMissingError, bronze_partition
from tests.conftest import REF, WriteJsonl, record


def _ingest(home: LakehouseHome, **kwargs) -> tuple[pl.DataFrame, pl.DataFrame]:
    bronze_partition(home=home, ref=REF, **kwargs)
    return (
        read_partition(home, "bronze", "raw_submissions", REF),
        read_partition(home, "bronze", "quarantine", REF),
    )


def _reasons(quarantine: pl.DataFrame) -> dict[str, int]:
    counts = quarantine.group_by("reason").len()
    return dict(zip(counts["reason"], counts["len"], strict=True))


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"answer_text": None}, "missing_field:answer_text"),
        ({"student_id": "   "}, "missing_field:student_id"),
        ({"submission_id": ""}, "missing_field:submission_id"),
        ({"submitted_at": None}, "missing_field:submitted_at"),
        ({"question_text": None}, "missing_field:question_text"),
        ({"submitted_at": "yesterday"}, "bad_timestamp"),
        ({"submitted_at": "2026-01-05"}, "bad_timestamp"),
        ({"submitted_at": "2026-13-45T99:00:00"}, "bad_timestamp"),
        ({"grade": "A+"}, "bad_grade"),
        ({"grade": True}, "bad_grade"),
        ({"grade": 5, "max_grade": 0}, "bad_max_grade"),
        ({"grade": 5, "max_grade": "ten"}, "bad_max_grade"),
        ({"grade": 5, "max_grade": None}, "missing_field:max_grade"),
        ({"grade": 11, "max_grade": 10}, "grade_out_of_range"),
        ({"grade": -1}, "grade_out_of_range"),
        ({"answer_text": {"text": "nested"}}, "bad_type:answer_text"),
        ({"course_id": ["CS101"]}, "bad_type:course_id"),
    ],
)
def test_each_field_violation_is_quarantined_with_its_reason(
    home: LakehouseHome, write_jsonl: WriteJsonl, overrides: dict, reason: str
) -> None:
    write_jsonl("batch.jsonl", [record(1), record(2, **overrides), record(3)])
    bronze, quarantine = _ingest(home)
    assert bronze.get_column("submission_id").to_list() == ["sub-0001", "sub-0003"]
    assert _reasons(quarantine) == {reason: 1}
    assert quarantine.get_column("source_line").to_list() == [2]
    assert quarantine.get_column("raw_record").item() is not None


def test_structural_jsonl_defects_quarantine_only_their_line(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    good = json.dumps(record(4)).encode()
    write_jsonl(
        "batch.jsonl",
        [
            record(1),
            '{"submission_id": "sub-0002", "answer_te',
            "",
            "   ",
            [1, 2, 3],
            good[:-10] + b"\xff\xfe" + good[-10:],
            '"just a string"',
            record(5),
        ],
    )
    bronze, quarantine = _ingest(home)
    assert bronze.get_column("submission_id").to_list() == ["sub-0001", "sub-0005"]
    assert bronze.get_column("source_line").to_list() == [1, 8]
    assert dict(zip(quarantine["source_line"], quarantine["reason"], strict=True)) == {
        2: "malformed_json",
        5: "not_an_object",
        6: "undecodable_utf8",
        7: "not_an_object",
    }


def test_valid_values_are_typed_and_unknown_fields_kept_in_extra(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    write_jsonl(
        "batch.jsonl",
        [
            record(1, submitted_at="2026-01-05T10:15:00Z", grade="7.5", device="tablet"),
            record(2, submitted_at="2026-01-05 10:15:00", grade=None, max_grade=None),
            record(3, submitted_at="2026-01-05T10:15:00.250+05:30", language=" HI "),
            record(4, answer_text="", lms={"attempt": 2}),
        ],
    )
    bronze, quarantine = _ingest(home)
    assert quarantine.is_empty()
    assert bronze.schema == pl.Schema(BRONZE_SCHEMA)
    rows = bronze.sort("submission_id").to_dicts()
    assert rows[0]["grade"] == 7.5 and json.loads(rows[0]["extra"]) == {"device": "tablet"}
    assert rows[1]["grade"] is None and rows[1]["extra"] is None
    assert str(rows[0]["submitted_at"]) == "2026-01-05 10:15:00+00:00"
    assert str(rows[1]["submitted_at"]) == "2026-01-05 10:15:00+00:00"
    assert str(rows[2]["submitted_at"]) == "2026-01-05 04:45:00.250000+00:00"
    assert rows[2]["language"] == "hi"
    assert rows[3]["answer_text"] == "" and json.loads(rows[3]["extra"]) == {"lms": {"attempt": 2}}
    landed_bytes = (home.night_dir(REF) / "batch.jsonl").read_bytes()
    assert set(bronze["file_sha256"]) == {hashlib.sha256(landed_bytes).hexdigest()}


def test_csv_rows_with_bad_bytes_or_wrong_width_are_quarantined(
    home: LakehouseHome, night_dir: Path
) -> None:
    header = "submission_id,student_id,course_id,assignment_id,question_id,question_text,answer_text,submitted_at,grade,max_grade,lms_attempt\n"
    rows = (
        'c1,s1,CS,A1,Q1,"Why, really?","line one\nline two",2026-01-05T10:00:00Z,4,5,1\n'
        "c2,s2,CS,A1,Q1,Q?,short\n"
        "c3,s3,CS,A1,Q1,Q?,bad \xff byte,2026-01-05T10:00:00Z,4,5,1\n"
        "c4,s4,CS,A1,Q1,Q?,fine,2026-01-05T10:00:00Z,,,2\n"
    )
    (night_dir / "batch.csv").write_bytes(header.encode() + rows.encode("latin-1"))
    bronze, quarantine = _ingest(home)
    assert bronze.get_column("submission_id").to_list() == ["c1", "c4"]
    assert bronze.get_column("source_line").to_list() == [1, 4]
    assert bronze.get_column("answer_text").to_list()[0] == "line one\nline two"
    assert json.loads(bronze.get_column("extra")[1]) == {"lms_attempt": "2"}
    assert dict(zip(quarantine["source_line"], quarantine["reason"], strict=True)) == {
        2: "malformed_csv_row",
        3: "undecodable_utf8",
    }


def test_parquet_batches_are_read_with_native_types(home: LakehouseHome, night_dir: Path) -> None:
    frame = pl.DataFrame([record(1), record(2, grade=12.0)]).with_columns(
        pl.col("submitted_at").str.to_datetime(time_zone="UTC"),
        pl.lit("x").alias("device"),
    )
    frame.write_parquet(night_dir / "batch.parquet")
    bronze, quarantine = _ingest(home)
    assert bronze.get_column("submission_id").to_list() == ["sub-0001"]
    assert json.loads(bronze.get_column("extra").item()) == {"device": "x"}
    assert _reasons(quarantine) == {"grade_out_of_range": 1}


def test_unreadable_files_are_one_quarantine_record_each(
    home: LakehouseHome, night_dir: Path, write_jsonl: WriteJsonl
) -> None:
    write_jsonl("a.jsonl", [record(1)])
    payload = "\n".join(json.dumps(record(i, answer_text=f"{i}" * 50)) for i in range(200))
    blob = io.BytesIO()
    with gzip.GzipFile(fileobj=blob, mode="wb", mtime=0) as gz:
        gz.write(payload.encode())
    (night_dir / "b.jsonl.gz").write_bytes(blob.getvalue()[: len(blob.getvalue()) // 2])
    (night_dir / "c.parquet").write_bytes(b"PAR1 not really parquet")
    (night_dir / "notes.txt").write_text("not a batch file")
    result = bronze_partition(home=home, ref=REF)
    quarantine = read_partition(home, "bronze", "quarantine", REF)
    assert result.landed == 3 and result.accepted == 1
    assert result.ignored_files == 1
    assert sorted(result.unreadable_files) == ["b.jsonl.gz", "c.parquet"]
    assert quarantine.filter(pl.col("reason") == "unreadable_file")["raw_record"].null_count() == 2


def test_complete_gzip_and_multi_member_gzip_are_read(home: LakehouseHome, night_dir: Path) -> None:
    first = gzip.compress(json.dumps(record(1)).encode() + b"\n", mtime=0)
    second = gzip.compress(json.dumps(record(2)).encode() + b"\n", mtime=0)
    (night_dir / "a.jsonl.gz").write_bytes(first + second)
    bronze, quarantine = _ingest(home)
    assert bronze.height == 2 and quarantine.is_empty()


def test_duplicate_submission_ids_keep_the_first_in_file_order(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    write_jsonl("b.jsonl", [record(1, answer_text="later file")])
    write_jsonl("a.jsonl", [record(1, answer_text="first"), record(2), record(1, answer_text="x")])
    bronze, quarantine = _ingest(home)
    assert bronze.sort("submission_id")["answer_text"].to_list()[0] == "first"
    assert quarantine.select("source_file", "source_line", "reason").rows() == [
        ("a.jsonl", 3, "duplicate_submission_id"),
        ("b.jsonl", 1, "duplicate_submission_id"),
    ]


def test_counts_reconcile_and_schemas_hold_on_an_empty_night(
    home: LakehouseHome, night_dir: Path
) -> None:
    result = bronze_partition(home=home, ref=REF)
    bronze, quarantine = _ingest(home)
    assert (result.landed, result.accepted, result.quarantined) == (0, 0, 0)
    assert bronze.schema == pl.Schema(BRONZE_SCHEMA)
    assert quarantine.schema == pl.Schema(QUARANTINE_SCHEMA)


def test_small_chunks_give_the_same_rows_as_one_chunk(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    write_jsonl("a.jsonl", [record(i) for i in range(50)] + ["{torn"] + [record(99)])
    whole, whole_q = _ingest(home)
    chunked, chunked_q = _ingest(home, chunk_bytes=300, batch_rows=7)
    assert whole.equals(chunked) and whole_q.equals(chunked_q)
    assert chunked["source_line"].to_list() == [*range(1, 51), 52]


def test_rerun_replaces_the_partition_with_identical_files(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    write_jsonl("a.jsonl", [record(i) for i in range(20)] + [record(3)])
    bronze_partition(home=home, ref=REF)
    folder = home.partition_dir("bronze", "raw_submissions", REF)
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    bronze_partition(home=home, ref=REF)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    assert not any(home.table_dir("bronze", "raw_submissions").joinpath(".staging").iterdir())


def test_missing_landing_folder_is_an_actionable_error(home: LakehouseHome) -> None:
    with pytest.raises(
        LandingFolderMissingError, match="no landing folder for partition inst_test/2026-01-05"
    ):
        bronze_partition(home=home, ref=REF)


def test_erased_students_records_are_dropped_and_counted(
    home: LakehouseHome, write_jsonl: WriteJsonl
) -> None:
    write_jsonl(
        "a.jsonl",
        [
            record(1, student_id="keep"),
            record(2, student_id="gone"),
            record(3, student_id="gone", grade="A+"),
        ],
    )
    write_jsonl("b.jsonl", [record(2, student_id="gone", answer_text="resubmitted")])
    erasure = home.erasure_dir(REF.institution_id)
    erasure.mkdir(parents=True)
    (erasure / "r.csv").write_text("student_id,requested_at\ngone,2026-01-04T00:00:00Z\n")
    result = bronze_partition(home=home, ref=REF)
    bronze, quarantine = _ingest(home)
    assert (result.landed, result.accepted, result.erased, result.quarantined) == (4, 1, 1, 2)
    assert bronze["student_id"].to_list() == ["keep"]
    assert quarantine.select("source_file", "reason", "raw_record").rows() == [
        ("a.jsonl", "bad_grade", None),
        ("b.jsonl", "duplicate_submission_id", None),
    ]
