"""Readers that turn one landed batch file into raw frames, never raising on bad content.

Every format is normalised to the same raw frame: the provenance columns, every contract field as a
nullable string exactly as it landed, `extra` (a JSON object of unknown fields), `structural_reason`
(set when the record could not be parsed at all, or a field held an object or array) and
`raw_record` (the original JSONL line; null for CSV/Parquet, whose cells are re-encoded only if the
record is quarantined). Validation and typing happen afterwards, vectorised, in `lakehouse.validate`.

Large files are read in bounded chunks (JSONL by byte blocks cut at newlines, CSV by DuckDB's
streaming reader, Parquet by row batches), so memory does not grow with the size of a night.
"""

from __future__ import annotations

import csv
import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, Final

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse.contract import (
    BATCH_FILE_SUFFIXES,
    CONTRACT_FIELDS,
    QuarantineReason,
    bad_type,
)

RAW_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "source_file": pl.String(),
    "source_line": pl.Int64(),
    "file_sha256": pl.String(),
    **{f: pl.String() for f in CONTRACT_FIELDS},
    "extra": pl.String(),
    "structural_reason": pl.String(),
    "detail": pl.String(),
    "raw_record": pl.String(),
}

DEFAULT_CHUNK_BYTES: Final = 32 * 1024 * 1024
DEFAULT_BATCH_ROWS: Final = 100_000


class UnreadableFileError(Exception):
    """A batch file that cannot be read at all; the message names only the error class."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A landed batch file and what provenance every record read from it carries."""

    path: Path
    name: str
    institution_id: str
    night: date
    sha256: str


def batch_files(night_dir: Path) -> list[Path]:
    """The batch files of a night folder in the order they are read (sorted by name).

    Files with other suffixes are not records: they are ignored (and counted by the caller).
    """
    return sorted(
        p for p in night_dir.iterdir() if p.is_file() and p.name.endswith(BATCH_FILE_SUFFIXES)
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _with_provenance(frame: pl.DataFrame, src: SourceFile) -> pl.DataFrame:
    """Add provenance, fill absent columns with nulls and order columns as RAW_SCHEMA."""
    frame = frame.with_columns(
        pl.lit(src.institution_id).alias("institution_id"),
        pl.lit(src.night).alias("night"),
        pl.lit(src.name).alias("source_file"),
        pl.lit(src.sha256).alias("file_sha256"),
    )
    return frame.select(
        pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in RAW_SCHEMA.items()
    )


def unreadable_file_frame(src: SourceFile, detail: str) -> pl.DataFrame:
    """The single quarantine record standing for a file that could not be read at all."""
    frame = pl.DataFrame(
        {
            "source_line": [0],
            "structural_reason": [str(QuarantineReason.UNREADABLE_FILE)],
            "detail": [detail],
        }
    )
    return _with_provenance(frame, src)


# --- JSONL -------------------------------------------------------------------------------------

_STRUCT_VARCHAR: Final = "{" + ",".join(f'"{f}":"VARCHAR"' for f in CONTRACT_FIELDS) + "}"
_STRUCT_JSON: Final = "{" + ",".join(f'"{f}":"JSON"' for f in CONTRACT_FIELDS) + "}"
_KNOWN_KEYS: Final = ", ".join(f"'{f}'" for f in CONTRACT_FIELDS)
_BAD_TYPE_CASES: Final = " ".join(
    f"WHEN left(ltrim(j.{f}), 1) IN ('{{', '[') THEN '{bad_type(f)}'" for f in CONTRACT_FIELDS
)
_JSONL_SQL: Final = f"""
WITH lines AS (SELECT source_line, line FROM chunk),
classified AS (
    SELECT source_line, line,
           CASE WHEN line IS NULL THEN '{QuarantineReason.UNDECODABLE_UTF8}'
                WHEN NOT json_valid(line) THEN '{QuarantineReason.MALFORMED_JSON}'
                WHEN json_type(line) <> 'OBJECT' THEN '{QuarantineReason.NOT_AN_OBJECT}'
           END AS structural_reason
    FROM lines
),
objects AS (
    SELECT source_line, line,
           json_transform(line, '{_STRUCT_VARCHAR}') AS v,
           json_transform(line, '{_STRUCT_JSON}') AS j,
           json_keys(line) AS k
    FROM classified WHERE structural_reason IS NULL
)
SELECT source_line, line AS raw_record, unnest(v),
       CASE WHEN len(list_filter(k, x -> x NOT IN ({_KNOWN_KEYS}))) > 0 THEN
           to_json(map_from_entries(list_filter(
               map_entries(json_transform(line, '"MAP(VARCHAR, JSON)"')),
               e -> e.key NOT IN ({_KNOWN_KEYS}))))::VARCHAR
       END AS extra,
       CASE {_BAD_TYPE_CASES} END AS structural_reason
FROM objects
UNION ALL
SELECT source_line, line AS raw_record, {", ".join(f"NULL AS {f}" for f in CONTRACT_FIELDS)},
       NULL AS extra, structural_reason
FROM classified WHERE structural_reason IS NOT NULL
"""


def _decode_lines(block: bytes) -> list[str | None]:
    """Split a block of whole lines; a line that is not valid UTF-8 becomes None.

    The common case decodes the block once in C; only a block holding bad bytes is decoded line
    by line, so the slow path costs time only where the data is actually damaged.
    """
    try:
        return list(block.decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        out: list[str | None] = []
        for raw in block.split(b"\n"):
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(None)
        return out


def _plain(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    yield from iter(lambda: stream.read(chunk_bytes), b"")


def _gunzip(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """Decompress a (possibly multi-member) gzip stream, refusing a truncated one.

    Python's `gzip` module returns a truncated stream's prefix without complaint; a torn upload
    must quarantine the file instead, so the end-of-stream marker is checked here (zlib checks
    each member's CRC and length).
    """
    decoder = zlib.decompressobj(wbits=31)
    fresh = True
    for block in iter(lambda: stream.read(1 << 20), b""):
        data = block
        while data:
            fresh = False
            out = decoder.decompress(data, chunk_bytes)
            if out:
                yield out
            if decoder.eof:
                data = decoder.unused_data
                decoder, fresh = zlib.decompressobj(wbits=31), True
            else:
                data = decoder.unconsumed_tail
    if not fresh and not decoder.eof:
        raise EOFError("gzip stream ended before its end-of-stream marker")


def _jsonl_blocks(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """Yield (block of whole lines, number of the block's first line)."""
    carry = b""
    first_line = 1
    for piece in chunks:
        data = carry + piece
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
            continue
        block, carry = data[:cut], data[cut + 1 :]
        yield block, first_line
        first_line += block.count(b"\n") + 1
    if carry:
        yield carry, first_line


def _jsonl_frame(block: bytes, first_line: int, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    lines = _decode_lines(block)
    chunk = pl.DataFrame(
        {"line": pl.Series(lines, dtype=pl.String)},
    ).with_row_index("source_line", offset=first_line)
    chunk = chunk.with_columns(
        pl.col("source_line").cast(pl.Int64),
        pl.col("line").str.strip_suffix("\r"),
    )
    # Blank lines are not records; an undecodable line (null) is one.
    chunk = chunk.filter(pl.col("line").is_null() | (pl.col("line").str.strip_chars() != ""))
    undecodable = chunk.filter(pl.col("line").is_null()).get_column("source_line")
    bad_text: dict[int, str] = {}
    if undecodable.len():
        raw = block.split(b"\n")
        bad_text = {
            int(n): raw[int(n) - first_line].decode("utf-8", errors="replace") for n in undecodable
        }
    con.register("chunk", chunk.select("source_line", "line").to_arrow())
    try:
        parsed = pl.from_arrow(con.sql(_JSONL_SQL).to_arrow_table())
        assert isinstance(parsed, pl.DataFrame)
        frame = parsed
    finally:
        con.unregister("chunk")
    if bad_text:
        frame = frame.with_columns(
            pl.when(pl.col("raw_record").is_null())
            .then(
                pl.col("source_line").replace_strict(bad_text, default=None, return_dtype=pl.String)
            )
            .otherwise(pl.col("raw_record"))
            .alias("raw_record")
        )
    return frame.sort("source_line")


def _read_jsonl(src: SourceFile, chunk_bytes: int) -> Iterator[pl.DataFrame]:
    con = duckdb.connect()
    try:
        with open(src.path, "rb") as stream:
            raw = (
                _gunzip(stream, chunk_bytes)
                if src.name.endswith(".gz")
                else _plain(stream, chunk_bytes)
            )
            for block, first_line in _jsonl_blocks(raw):
                yield _with_provenance(_jsonl_frame(block, first_line, con), src)
    finally:
        con.close()


# --- CSV ---------------------------------------------------------------------------------------

_CSV_OPTIONS: Final = (
    "header=true, all_varchar=true, delim=',', quote='\"', escape='\"', "
    "store_rejects=true, parallel=false, auto_detect=false"
)


def _csv_header(path: Path) -> list[str]:
    """The header row's column names (the first line, which must be UTF-8 CSV)."""
    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError("header is not UTF-8") from exc
    header = next(csv.reader([text]), [])
    names = [h.strip() for h in header]
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        raise UnreadableFileError("no usable CSV header (empty or duplicate column names)")
    return names


def _has_unterminated_quote(path: Path) -> bool:
    """An odd number of quote characters: some quoted field never closes.

    DuckDB's reject store does not report such a field: it silently drops everything from the
    opening quote to the end of the file, so the file must be quarantined whole instead.
    """
    quotes = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            quotes += block.count(b'"')
    return quotes % 2 == 1


def _read_csv(src: SourceFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Stream a CSV through DuckDB; rows DuckDB rejects become quarantine records.

    DuckDB reports a rejected row by its line (header = 1), so accepted rows get their ordinal by
    filling the gaps the rejected ones leave, in file order. DuckDB skips blank lines but counts
    them in a reject's line, so after a blank line the ordinals of accepted rows are approximate
    (still unique and in file order).
    """
    header = _csv_header(src.path)
    if _has_unterminated_quote(src.path):
        raise UnreadableFileError("unterminated quoted field")
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
    con = duckdb.connect()
    try:
        reader = con.execute(
            f"SELECT * FROM read_csv(?, columns={columns}, {_CSV_OPTIONS}, skip=1, header=false)",
            [str(src.path)],
        ).fetch_record_batch(batch_rows)
        accepted: list[pl.DataFrame] = []
        known = [c for c in header if c in CONTRACT_FIELDS]
        unknown = [c for c in header if c not in CONTRACT_FIELDS]
        for batch in reader:
            part = pl.from_arrow(batch)
            assert isinstance(part, pl.DataFrame)
            extra = pl.struct(unknown).struct.json_encode() if unknown else pl.lit(None, pl.String)
            accepted.append(part.select(*known, extra.alias("extra")))
        rejects = con.sql(
            "SELECT line, any_value(error_type)::VARCHAR AS error_type, "
            "any_value(csv_line) AS csv_line FROM reject_errors GROUP BY line ORDER BY line"
        ).pl()
    finally:
        con.close()
    good = (
        pl.concat(accepted, how="diagonal_relaxed")
        if accepted
        else pl.DataFrame(schema={c: pl.String for c in known})
    )
    reject_ordinals = rejects.get_column("line").cast(pl.Int64) - 1
    # blank lines (skipped) can push a reject's ordinal past the number of records
    last = max([good.height + rejects.height, *reject_ordinals.to_list()])
    ordinals = pl.Series("source_line", range(1, last + 1), dtype=pl.Int64)
    good_ordinals = ordinals.filter(~ordinals.is_in(reject_ordinals.implode())).head(good.height)
    good = good.with_columns(good_ordinals.alias("source_line"))
    bad = rejects.select(
        (pl.col("line").cast(pl.Int64) - 1).alias("source_line"),
        pl.when(pl.col("error_type") == "INVALID ENCODING")
        .then(pl.lit(str(QuarantineReason.UNDECODABLE_UTF8)))
        .otherwise(pl.lit(str(QuarantineReason.MALFORMED_CSV_ROW)))
        .alias("structural_reason"),
        pl.col("csv_line").alias("raw_record"),
    )
    frame = pl.concat([good, bad], how="diagonal_relaxed").sort("source_line")
    for start in range(0, max(frame.height, 1), batch_rows):
        yield _with_provenance(frame.slice(start, batch_rows), src)


# --- Parquet -----------------------------------------------------------------------------------


def _parquet_column_as_string(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        aware = col if dtype.time_zone else col.dt.replace_time_zone("UTC")
        return aware.dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%S%.f+00:00")
    if isinstance(dtype, pl.Struct | pl.List | pl.Array):
        # polars cannot cast a nested value to text: keep its JSON (the row is bad_type anyway)
        as_json = pl.struct(col).struct.json_encode().str.json_path_match(f"$.{name}")
        return pl.when(col.is_not_null()).then(as_json)
    return col.cast(pl.String)


def _read_parquet(src: SourceFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    parquet = pq.ParquetFile(src.path)
    row = 1
    for batch in parquet.iter_batches(batch_size=batch_rows):
        part = pl.from_arrow(batch)
        assert isinstance(part, pl.DataFrame)
        known = [c for c in part.columns if c in CONTRACT_FIELDS]
        unknown = [c for c in part.columns if c not in CONTRACT_FIELDS]
        nested = [c for c in known if isinstance(part.schema[c], pl.Struct | pl.List | pl.Array)]
        bad = pl.lit(None, pl.String)
        for c in reversed(nested):
            bad = pl.when(pl.col(c).is_not_null()).then(pl.lit(bad_type(c))).otherwise(bad)
        extra = pl.struct(unknown).struct.json_encode() if unknown else pl.lit(None, pl.String)
        frame = part.select(
            *(_parquet_column_as_string(c, part.schema[c]).alias(c) for c in known),
            extra.alias("extra"),
            bad.alias("structural_reason"),
            pl.int_range(row, row + part.height, dtype=pl.Int64).alias("source_line"),
        )
        row += part.height
        yield _with_provenance(frame, src)


def read_batch_file(
    src: SourceFile,
    *,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> Iterator[pl.DataFrame]:
    """Yield raw frames for one batch file.

    A file that cannot be read at all (corrupt gzip or Parquet, unreadable bytes where a CSV
    header should be) raises `UnreadableFileError`; the caller discards what the file had yielded and
    quarantines the file as one record, so a file is either read whole or quarantined whole.
    """
    try:
        if src.name.endswith((".jsonl", ".jsonl.gz")):
            yield from _read_jsonl(src, chunk_bytes)
        elif src.name.endswith(".csv"):
            yield from _read_csv(src, batch_rows)
        elif src.name.endswith(".parquet"):
            yield from _read_parquet(src, batch_rows)
        else:
            raise UnreadableFileError(f"unsupported file type: {src.name}")
    except (OSError, EOFError, zlib.error, duckdb.Error, pa.ArrowException) as exc:
        raise UnreadableFileError(type(exc).__name__) from exc
