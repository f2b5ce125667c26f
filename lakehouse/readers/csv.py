"""CSV batch files, streamed through DuckDB's CSV reader with its reject store.

The header is parsed in Python and never reaches SQL: DuckDB reads the columns under positional
names (`c0`, `c1`, ...) and the header's names are put back in polars as literal aliases, so a
header cell such as `teacher's note`, or one written as SQL, is only ever a name. The connection may
open the one file it reads and nothing else (`sandbox`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.contract import QuarantineReason
from lakehouse.readers.common import (
    SourceFile,
    UnreadableFileError,
    named_columns,
    positional_names,
    require_unique_names,
    with_provenance,
)
from lakehouse.readers.sandbox import sandboxed_connection

_CSV_OPTIONS: Final = (
    "header=false, skip=1, all_varchar=true, delim=',', quote='\"', escape='\"', "
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
    names = [h.strip() for h in next(csv.reader([text]), [])]
    try:
        require_unique_names(names)
    except UnreadableFileError as exc:
        raise UnreadableFileError("no usable CSV header (empty or duplicate column names)") from exc
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


def _read_sql(columns: int) -> str:
    """The read query; it depends on the number of columns only, never on their names."""
    struct = ", ".join(f"'{name}': 'VARCHAR'" for name in positional_names(columns))
    return f"SELECT * FROM read_csv(?, columns={{{struct}}}, {_CSV_OPTIONS})"


def read_csv(src: SourceFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Stream a CSV through DuckDB; rows DuckDB rejects become quarantine records.

    DuckDB reports a rejected row by its line (header = 1), so accepted rows get their ordinal by
    filling the gaps the rejected ones leave, in file order. DuckDB skips blank lines but counts
    them in a reject's line, so after a blank line the ordinals of accepted rows are approximate
    (still unique and in file order).
    """
    header = _csv_header(src.path)
    if _has_unterminated_quote(src.path):
        raise UnreadableFileError("unterminated quoted field")
    known, extra = named_columns(header)
    path = str(src.path)
    con = sandboxed_connection(allowed_paths=[src.path])
    try:
        reader = con.execute(_read_sql(len(header)), [path]).fetch_record_batch(batch_rows)
        accepted: list[pl.DataFrame] = []
        for batch in reader:
            part = pl.from_arrow(batch)
            assert isinstance(part, pl.DataFrame)
            accepted.append(part.select(*known, extra))
        rejects = con.sql(
            "SELECT line, any_value(error_type)::VARCHAR AS error_type, "
            "any_value(csv_line) AS csv_line FROM reject_errors GROUP BY line ORDER BY line"
        ).pl()
    finally:
        con.close()
    good = (
        pl.concat(accepted, how="diagonal_relaxed")
        if accepted
        else pl.DataFrame(schema={e.meta.output_name(): pl.String for e in known})
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
        yield with_provenance(frame.slice(start, batch_rows), src)
