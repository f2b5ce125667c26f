"""Property-based tests of the ingestion contract (issue #9, part 1).

Hypothesis lands arbitrary nights: contract-valid records mutated every way the contract forbids
(missing fields, wrong types, nulls, huge or odd numbers, NaN/inf grades, bad timestamps, bytes
that are not UTF-8, duplicate ids, extra fields, lines that are not objects) in files of every
format (jsonl, jsonl.gz, csv, parquet), some of them damaged (truncated gzip or Parquet, broken
CSV quoting, empty files). For every such night, bronze ingestion and the consent stage must not
raise, every landed record must be accounted for exactly once, every quarantine row must carry a
machine-readable reason, and every accepted row must satisfy the contract.

The examples are derandomised and no example database is kept, so CI sees the same examples on
every run.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lakehouse.contract import (
    BRONZE_SCHEMA,
    CONTRACT_FIELDS,
    ID_FIELDS,
    QUARANTINE_SCHEMA,
    REQUIRED_FIELDS,
    QuarantineReason,
)
from lakehouse.home import LakehouseHome
from lakehouse.lake import read_partition
from lakehouse.stages.bronze import bronze_partition
from lakehouse.stages.consent import consent_partition
from lakehouse.stages.ledger import build_ledger, stage_counts
from tests.conftest import REF, record

PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_REASON = re.compile(
    "^(?:"
    + "|".join(
        re.escape(str(r))
        for r in QuarantineReason
        if r not in (QuarantineReason.MISSING_FIELD, QuarantineReason.BAD_TYPE)
    )
    + "|(?:missing_field|bad_type):(?:"
    + "|".join(CONTRACT_FIELDS)
    + "))$"
)
"""Every reason the contract allows: a fixed label, or `missing_field:`/`bad_type:` + a field."""

# --- values and records --------------------------------------------------------------------------

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(["", " ", "\x00", "\t\n", "नमस्ते", "😀", '",\n"', "NaN", "1e999", "null"])
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2**63, -(2**63) - 1])
    | odd_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
    max_leaves=6,
)
bad_timestamps = st.sampled_from(
    [
        "yesterday",
        "2026-01-05",
        "2026-13-45T99:00:00",
        "2026-02-30T10:00:00Z",
        "05/01/2026 10:15",
        "",
        "   ",
        "2026-01-05T10:15:00+25:00",
        "+275760-09-13T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "2026-01-05 10:15:00.123456789+05:30",
        "2026-01-05T10:15:00z",
    ]
)
odd_grades = st.sampled_from(
    ["NaN", "nan", "inf", "-Infinity", "1e999", "-0", "0x10", " 7 ", "7,5", True, False]
) | st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def mutated_record(draw: st.DrawFn, i: int, ids: list[str], students: list[str]) -> dict[str, Any]:
    """A contract-valid record with zero or more violations applied."""
    rec = record(
        i, submission_id=draw(st.sampled_from(ids)), student_id=draw(st.sampled_from(students))
    )
    for _ in range(draw(st.integers(0, 3))):
        field = draw(st.sampled_from([*CONTRACT_FIELDS, "extra_field"]))
        kind = draw(
            st.sampled_from(
                ["drop", "null", "value", "timestamp", "grade", "extra", "blank", "keep"]
            )
        )
        if kind == "drop":
            rec.pop(field, None)
        elif kind == "null":
            rec[field] = None
        elif kind == "value":
            rec[field] = draw(json_values)
        elif kind == "timestamp":
            rec["submitted_at"] = draw(bad_timestamps)
        elif kind == "grade":
            rec[draw(st.sampled_from(["grade", "max_grade"]))] = draw(odd_grades)
        elif kind == "extra":
            rec[draw(odd_text)] = draw(json_values)
        elif kind == "blank":
            rec[field] = draw(st.sampled_from(["", "  ", "\t"]))
    return rec


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = [f"sub-{n}" for n in range(draw(st.integers(1, 12)))]
    students = [f"stu-{n}" for n in range(4)]
    n = draw(st.integers(0, 12))
    return [draw(mutated_record(i, ids, students)) for i in range(n)]


# --- files -------------------------------------------------------------------------------------


def _jsonl_line(rec: Any) -> bytes:
    # json.dumps writes NaN/Infinity (not JSON): those lines must be quarantined as malformed
    return json.dumps(rec, ensure_ascii=False).encode("utf-8")


garbage_lines = st.sampled_from(
    [
        b"[1, 2, 3]",
        b'"just a string"',
        b"42",
        b"null",
        b"true",
        b'{"submission_id": "sub-x", "answer_te',
        b"{not json}",
        b"\xff\xfe\xfa",
        b'{"submission_id": "sub-9", "answer_text": "caf\xe9"}',
        b"{}",
        b"{}{}",
        b"   ",
        b"",
        b"\r",
    ]
)


@dataclass(frozen=True)
class Landed:
    """One file written into the night folder, and how many records it must count as landed
    (None where the format makes that hard to predict independently: CSV)."""

    name: str
    expected_landed: int | None


@st.composite
def jsonl_payload(draw: st.DrawFn) -> tuple[bytes, int]:
    lines: list[bytes] = []
    for rec in draw(records()):
        lines.append(_jsonl_line(rec))
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append(draw(garbage_lines))
    body = b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n"]))
    landed = 0
    for line in body.split(b"\n"):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            landed += 1
            continue
        landed += bool(text.removesuffix("\r").strip())
    return body, landed


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@st.composite
def csv_payload(draw: st.DrawFn) -> bytes:
    rows = draw(records())
    header = list(dict.fromkeys(k for r in rows for k in r if k.strip()))
    header = [h for h in header if "\x00" not in h] or list(REQUIRED_FIELDS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([_cell(r.get(h)) for h in header])
    body = out.getvalue().encode("utf-8")
    broken = draw(
        st.lists(
            st.sampled_from(
                [
                    b'"unterminated,quote\n',
                    b"too,many,fields," * 8 + b"\n",
                    b"short\n",
                    b"caf\xe9,latin-1\n",
                    b'"a""b",c\n',
                    b"\n",
                ]
            ),
            max_size=3,
        )
    )
    for chunk in broken:
        body += chunk
    return body


@st.composite
def parquet_payload(draw: st.DrawFn) -> tuple[bytes, int]:
    rows = draw(records())
    typed = draw(st.booleans())
    columns: dict[str, pl.Series] = {}
    for name in CONTRACT_FIELDS:
        values = [r.get(name) for r in rows]
        if typed and name in ("grade", "max_grade"):
            nums = [
                float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
                for v in values
            ]
            columns[name] = pl.Series(name, nums, dtype=pl.Float64)
        else:
            columns[name] = pl.Series(
                name, [None if v is None else _cell(v) for v in values], dtype=pl.String
            )
    if rows and draw(st.booleans()):
        # a nested column where the contract wants text: every non-null cell is bad_type
        columns["answer_text"] = pl.Series(
            "answer_text", [["nested"] if n % 2 else None for n in range(len(rows))]
        )
    if rows and draw(st.booleans()):
        columns["extra_col"] = pl.Series("extra_col", list(range(len(rows))))
    frame = (
        pl.DataFrame(list(columns.values()))
        if rows
        else pl.DataFrame(schema={f: pl.String for f in CONTRACT_FIELDS})
    )
    sink = io.BytesIO()
    frame.write_parquet(sink)
    return sink.getvalue(), len(rows)


@st.composite
def landed_files(draw: st.DrawFn) -> list[tuple[str, bytes, int | None]]:
    """(file name, bytes, expected landed records or None) for one night folder."""
    files: list[tuple[str, bytes, int | None]] = []
    for n in range(draw(st.integers(0, 4))):
        fmt = draw(st.sampled_from(["jsonl", "jsonl.gz", "csv", "parquet", "empty", "other"]))
        name = f"batch-{n}.{fmt}"
        if fmt == "jsonl":
            body, landed = draw(jsonl_payload())
            files.append((name, body, landed))
        elif fmt == "jsonl.gz":
            body, landed = draw(jsonl_payload())
            packed = gzip.compress(body, mtime=0)
            if draw(st.booleans()) and len(packed) > 12:
                cut = draw(st.integers(1, len(packed) - 1))
                files.append((name, packed[:cut], 1))  # a torn upload: one unreadable_file
            else:
                files.append((name, packed, landed))
        elif fmt == "csv":
            files.append((name, draw(csv_payload()), None))
        elif fmt == "parquet":
            body, landed = draw(parquet_payload())
            if draw(st.booleans()):
                cut = draw(st.integers(0, len(body) - 1))
                files.append((name, body[:cut], 1))  # damaged Parquet: one unreadable_file
            else:
                files.append((name, body, landed))
        elif fmt == "empty":
            suffix = draw(st.sampled_from(["jsonl", "jsonl.gz", "csv", "parquet"]))
            # an empty JSONL (or gzip) holds no record; an empty CSV has no header and an
            # empty Parquet no footer: one unreadable_file each
            expected = {"jsonl": 0, "jsonl.gz": 0, "csv": 1, "parquet": 1}[suffix]
            files.append((f"empty-{n}.{suffix}", b"", expected))
        else:
            files.append((f"notes-{n}.txt", b"not a batch file", 0))
    return files


consent_rows = st.lists(
    st.tuples(
        st.sampled_from(["stu-0", "stu-1", "stu-2", "stu-3", " stu-1 ", "", "stu-9"]),
        st.sampled_from(["granted", "GRANTED ", "withdrawn", "pending", "", "maybe"]),
        st.sampled_from(["true", "false", "", "yes", "0", "perhaps"]),
        st.sampled_from(["true", "false", "", "Y", "n", "?"]),
        st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-02 10:00:00", "", "soon"]),
    ),
    max_size=8,
)


def _write_night(home: LakehouseHome, files: list[tuple[str, bytes, int | None]]) -> None:
    night = home.night_dir(REF)
    night.mkdir(parents=True)
    for name, body, _ in files:
        (night / name).write_bytes(body)


def _write_consent(home: LakehouseHome, rows: list[tuple[str, ...]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student_id", "status", "is_minor", "guardian_consent", "updated_at"])
    writer.writerows(rows)
    home.consent_csv(REF.institution_id).write_text(out.getvalue())


def _write_erasure(home: LakehouseHome, students: list[str]) -> None:
    folder = home.erasure_dir(REF.institution_id)
    folder.mkdir(parents=True)
    body = "student_id,requested_at\n" + "".join(f"{s},2026-01-01T00:00:00Z\n" for s in students)
    (folder / "requests.csv").write_text(body)


# --- the properties ----------------------------------------------------------------------------


def _assert_contract_rows(bronze: pl.DataFrame, erased: list[str]) -> None:
    assert bronze.schema == pl.Schema(BRONZE_SCHEMA)
    for name in REQUIRED_FIELDS:
        assert bronze.get_column(name).null_count() == 0, name
    for name in ID_FIELDS:
        assert (bronze.get_column(name).str.strip_chars() != "").all(), name
    assert bronze.get_column("submission_id").is_unique().all()
    graded = bronze.filter(pl.col("grade").is_not_null())
    assert graded.get_column("max_grade").null_count() == 0
    assert graded.select(
        (
            pl.col("grade").is_finite()
            & (pl.col("grade") >= 0)
            & (pl.col("grade") <= pl.col("max_grade"))
        ).all()
    ).item()
    assert bronze.select(
        (
            pl.col("max_grade").is_null()
            | (pl.col("max_grade").is_finite() & (pl.col("max_grade") > 0))
        ).all()
    ).item()
    for extra in bronze.get_column("extra").drop_nulls():
        assert isinstance(json.loads(extra), dict)
    assert not bronze.get_column("student_id").is_in(erased).any()
    for name in ("source_file", "source_line", "file_sha256"):
        assert bronze.get_column(name).null_count() == 0


def _assert_quarantine_rows(quarantine: pl.DataFrame, erased: list[str]) -> None:
    assert quarantine.schema == pl.Schema(QUARANTINE_SCHEMA)
    for reason in quarantine.get_column("reason"):
        assert reason is not None and _REASON.match(reason), reason
    for raw in quarantine.get_column("raw_record").drop_nulls():
        assert not any(s in raw for s in erased)


@PROPERTY_SETTINGS
@given(
    files=landed_files(),
    consent=consent_rows,
    erased=st.sampled_from([[], [], ["stu-1"], ["stu-0", "stu-3"]]),
    chunk_bytes=st.sampled_from([64, 4096, 32 * 1024 * 1024]),
)
def test_any_night_ingests_without_crashing_and_reconciles(
    files: list[tuple[str, bytes, int | None]],
    consent: list[tuple[str, ...]],
    erased: list[str],
    chunk_bytes: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = LakehouseHome(Path(tmp) / "home")
        _write_night(home, files)
        _write_consent(home, consent)
        if erased:
            _write_erasure(home, erased)

        result = bronze_partition(home=home, ref=REF, chunk_bytes=chunk_bytes, batch_rows=5)
        bronze = read_partition(home, "bronze", "raw_submissions", REF)
        quarantine = read_partition(home, "bronze", "quarantine", REF)

        # landed = accepted + quarantined + erased, in the result, the lake and the ledger
        assert result.landed == result.accepted + result.quarantined + result.erased
        assert result.accepted == bronze.height
        assert result.quarantined == quarantine.height
        assert result.quarantined_by_reason == dict(quarantine.group_by("reason").len().iter_rows())
        if not erased:
            assert result.erased == 0

        # each landed record is counted exactly once, in the file and line it came from
        seen = pl.concat(
            [
                bronze.select("source_file", "source_line"),
                quarantine.select("source_file", "source_line"),
            ]
        )
        assert seen.is_unique().all()
        per_file = dict(seen.group_by("source_file").len().iter_rows())
        for name, _, expected in files:
            if expected is not None and not erased:
                assert per_file.get(name, 0) == expected, name
        batch_names = {n for n, _, _ in files if not n.endswith(".txt")}
        assert set(per_file) <= batch_names
        assert result.ignored_files == sum(n.endswith(".txt") for n, _, _ in files)

        _assert_contract_rows(bronze, erased)
        _assert_quarantine_rows(quarantine, erased)

        consented = consent_partition(home=home, ref=REF)
        assert consented.consented_rows + consented.excluded == result.accepted
        ledger = build_ledger(stage_counts(home, REF))
        assert ledger.height == 1
        row = ledger.row(0, named=True)
        assert row["reconciles"], row
        assert row["landed"] == result.landed


@settings(PROPERTY_SETTINGS, max_examples=30)
@given(files=landed_files())
def test_ingestion_is_deterministic_and_chunking_does_not_change_the_rows(
    files: list[tuple[str, bytes, int | None]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = LakehouseHome(Path(tmp) / "home")
        _write_night(home, files)
        frames = []
        for chunk_bytes, batch_rows in ((32 * 1024 * 1024, 100_000), (48, 3)):
            bronze_partition(home=home, ref=REF, chunk_bytes=chunk_bytes, batch_rows=batch_rows)
            frames.append(
                (
                    read_partition(home, "bronze", "raw_submissions", REF).sort(
                        "source_file", "source_line"
                    ),
                    read_partition(home, "bronze", "quarantine", REF).sort(
                        "source_file", "source_line"
                    ),
                )
            )
        (bronze_a, quarantine_a), (bronze_b, quarantine_b) = frames
        assert bronze_a.equals(bronze_b)
        assert quarantine_a.equals(quarantine_b)


# --- regressions found by the properties above ---------------------------------------------------


def _ingest_one(tmp_path: Path, name: str, body: bytes) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    home = LakehouseHome(tmp_path / "home")
    _write_night(home, [(name, body, None)])
    result = bronze_partition(home=home, ref=REF)
    assert result.landed == result.accepted + result.quarantined + result.erased
    return (
        read_partition(home, "bronze", "raw_submissions", REF),
        read_partition(home, "bronze", "quarantine", REF),
        result.landed,
    )


def test_csv_with_a_blank_line_before_a_rejected_row_is_quarantined_not_a_crash(
    tmp_path: Path,
) -> None:
    # DuckDB skips the blank line but counts it in the reject's line number, which used to
    # number past the end of the accepted rows and crash the partition
    header = ",".join(REQUIRED_FIELDS).encode()
    body = header + b"\n\n" + b"too,many,fields," * 4 + b"\n"
    bronze, quarantine, landed = _ingest_one(tmp_path, "batch.csv", body)
    assert bronze.height == 0
    assert quarantine.get_column("reason").to_list() == ["malformed_csv_row"]
    assert landed == 1


def test_csv_with_blank_lines_keeps_every_row_with_a_unique_line(tmp_path: Path) -> None:
    rows = [record(i) for i in range(3)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONTRACT_FIELDS)
    for n, r in enumerate(rows):
        writer.writerow([_cell(r.get(h)) for h in CONTRACT_FIELDS])
        if n == 0:
            out.write("\n")
    out.write("x,y,z," * 6 + "\n")
    bronze, quarantine, landed = _ingest_one(tmp_path, "batch.csv", out.getvalue().encode())
    assert bronze.get_column("submission_id").to_list() == ["sub-0000", "sub-0001", "sub-0002"]
    assert quarantine.get_column("reason").to_list() == ["malformed_csv_row"]
    lines = [*bronze.get_column("source_line"), *quarantine.get_column("source_line")]
    assert len(set(lines)) == 4 == landed


def test_csv_with_an_unterminated_quote_is_quarantined_whole_not_dropped_silently(
    tmp_path: Path,
) -> None:
    # DuckDB's reject store silently drops everything from an unclosed quote to the end of the
    # file; those records used to vanish without a trace (landed 1 instead of 3)
    rows = [record(1), record(2)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONTRACT_FIELDS)
    writer.writerow([_cell(rows[0].get(h)) for h in CONTRACT_FIELDS])
    out.write('"unterminated,quote\n')
    writer.writerow([_cell(rows[1].get(h)) for h in CONTRACT_FIELDS])
    bronze, quarantine, landed = _ingest_one(tmp_path, "batch.csv", out.getvalue().encode())
    assert bronze.height == 0
    assert quarantine.select("reason", "detail").rows() == [
        ("unreadable_file", "unterminated quoted field")
    ]
    assert landed == 1


def test_parquet_with_a_list_where_text_belongs_is_quarantined_not_a_crash(
    tmp_path: Path,
) -> None:
    # polars cannot cast a list column to text, which used to crash the partition
    rows = [record(1), record(2)]
    frame = pl.DataFrame(
        {f: [_cell(r.get(f)) if f in r else None for r in rows] for f in CONTRACT_FIELDS}
    ).with_columns(pl.Series("answer_text", [["nested", "list"], None]))
    sink = io.BytesIO()
    frame.write_parquet(sink)
    bronze, quarantine, landed = _ingest_one(tmp_path, "batch.parquet", sink.getvalue())
    assert bronze.height == 0  # record 2's answer_text is null: missing
    assert quarantine.select("source_line", "reason").rows() == [
        (1, "bad_type:answer_text"),
        (2, "missing_field:answer_text"),
    ]
    assert "nested" in quarantine.get_column("raw_record")[0]
    assert landed == 2
