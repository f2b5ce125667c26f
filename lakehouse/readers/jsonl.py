"""JSONL and JSONL.gz batch files, read in byte blocks cut at newlines.

The SQL below is a constant: records reach DuckDB as a registered Arrow table, and their keys and
values are data, never query text. The connection cannot open any file (`sandbox`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import BinaryIO, Final

import duckdb
import polars as pl

from lakehouse.contract import CONTRACT_FIELDS, QuarantineReason, bad_type
from lakehouse.readers.common import SourceFile, with_provenance
from lakehouse.readers.sandbox import sandboxed_connection

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


def read_jsonl(src: SourceFile, chunk_bytes: int) -> Iterator[pl.DataFrame]:
    con = sandboxed_connection()
    try:
        with open(src.path, "rb") as stream:
            raw = (
                _gunzip(stream, chunk_bytes)
                if src.name.endswith(".gz")
                else _plain(stream, chunk_bytes)
            )
            for block, first_line in _jsonl_blocks(raw):
                yield with_provenance(_jsonl_frame(block, first_line, con), src)
    finally:
        con.close()
