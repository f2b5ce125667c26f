"""CSV reader: a header is only ever names (issue 15: SQL injection through header cells)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl

from lakehouse.home import LakehouseHome
from lakehouse.stages.bronze import bronze_partition
from tests.conftest import REF
from tests.lakehouse.readers.readers_support import read_all, real_answers

SECRET = "TOP-SECRET-0f9e8d7c"


def crafted_header(secret_file: Path) -> str:
    """The header cell from issue 15: closes the columns struct, cross-joins `read_text` of another
    file as `answer_text`, and is also a polars regex (`^...|^zz$`) selecting the injected column."""
    return (
        "^a(': 'VARCHAR'}, header=false, skip=1, store_rejects=true) AS t(zz, q), "
        f"(SELECT content AS answer_text FROM read_text('{secret_file}')) AS s --|^zz$"
    )


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_crafted_header_cannot_read_another_file(night_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    header = ["answer_text", crafted_header(secret)]
    path = write_csv(night_dir / "evil.csv", header, [["my answer", "x"]])

    frame = read_all(path)

    assert frame.get_column("answer_text").to_list() == ["my answer"]
    assert json.loads(frame.get_column("extra")[0]) == {header[1]: "x"}
    assert SECRET not in frame.select(pl.all().cast(pl.String)).write_csv()


def test_crafted_header_leaks_nothing_into_bronze(
    home: LakehouseHome, night_dir: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    header = ["submission_id", "answer_text", crafted_header(secret)]
    write_csv(night_dir / "evil.csv", header, [["s-1", "my answer", "x"]])

    result = bronze_partition(home=home, ref=REF)

    assert result.landed == 1
    for table in ("raw_submissions", "quarantine"):
        part = home.partition_dir("bronze", table, REF)
        for file in part.glob("*.parquet"):
            text = pl.read_parquet(file).select(pl.all().cast(pl.String)).write_csv()
            assert SECRET not in text


def test_apostrophe_header_reads_every_real_answer(night_dir: Path) -> None:
    rows = real_answers()
    header = list(rows[0])
    path = write_csv(night_dir / "saf.csv", header, [[r[c] for c in header] for r in rows])

    frame = read_all(path)

    assert frame.get_column("structural_reason").null_count() == len(rows)
    assert frame.get_column("answer_text").to_list() == [r["answer_text"] for r in rows]
    notes = [json.loads(e)["teacher's note"] for e in frame.get_column("extra")]
    assert notes == [r["teacher's note"] or None for r in rows]


def test_regex_like_names_are_taken_literally(night_dir: Path) -> None:
    header = ["answer_text", "^.*$", "^answer_text$", "c0"]
    path = write_csv(night_dir / "names.csv", header, [["a", "b", "c", "d"]])

    frame = read_all(path)

    assert frame.get_column("answer_text").to_list() == ["a"]
    assert json.loads(frame.get_column("extra")[0]) == {
        "^.*$": "b",
        "^answer_text$": "c",
        "c0": "d",
    }


def test_duplicate_header_quarantines_the_file_with_a_reason(night_dir: Path) -> None:
    path = write_csv(night_dir / "dup.csv", ["answer_text", "answer_text"], [["a", "b"]])

    frame = read_all_or_reason(path)

    assert frame == "no usable CSV header (empty or duplicate column names)"


def read_all_or_reason(path: Path) -> pl.DataFrame | str:
    from lakehouse.readers import UnreadableFileError

    try:
        return read_all(path)
    except UnreadableFileError as exc:
        return str(exc)
