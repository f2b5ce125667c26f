"""Parquet batch files, read by row batches with pyarrow (no SQL).

Column names come from the file: each batch is renamed to positions before polars sees it, and
the file's names come back only as literal aliases (`common.named_columns`).
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pyarrow.parquet as pq

from lakehouse.contract import CONTRACT_FIELDS, bad_type
from lakehouse.readers.common import (
    SourceFile,
    UnreadableFileError,
    named_columns,
    positional_names,
    require_unique_names,
    with_provenance,
)


def _as_string(field: str, dtype: pl.DataType) -> pl.Expr:
    """A contract field's column (already renamed to `field`) as text."""
    col = pl.col(field)
    if isinstance(dtype, pl.Datetime):
        aware = col if dtype.time_zone else col.dt.replace_time_zone("UTC")
        return aware.dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%S%.f+00:00")
    if isinstance(dtype, pl.Struct | pl.List | pl.Array):
        # polars cannot cast a nested value to text: keep its JSON (the row is bad_type anyway)
        as_json = pl.struct(col).struct.json_encode().str.json_path_match(f"$.{field}")
        return pl.when(col.is_not_null()).then(as_json)
    return col.cast(pl.String)


def read_parquet(src: SourceFile, batch_rows: int) -> Iterator[pl.DataFrame]:
    parquet = pq.ParquetFile(src.path)
    names = list(parquet.schema_arrow.names)
    try:
        require_unique_names(names)
    except UnreadableFileError as exc:
        raise UnreadableFileError("no usable Parquet columns (empty or duplicate names)") from exc
    known, extra = named_columns(names)
    row = 1
    for batch in parquet.iter_batches(batch_size=batch_rows):
        positional = pl.from_arrow(batch.rename_columns(positional_names(len(names))))
        assert isinstance(positional, pl.DataFrame)
        part = positional.select(*known, extra)
        fields = [c for c in part.columns if c in CONTRACT_FIELDS]
        nested = [c for c in fields if isinstance(part.schema[c], pl.Struct | pl.List | pl.Array)]
        bad = pl.lit(None, pl.String)
        for c in reversed(nested):
            bad = pl.when(pl.col(c).is_not_null()).then(pl.lit(bad_type(c))).otherwise(bad)
        frame = part.select(
            *(_as_string(c, part.schema[c]).alias(c) for c in fields),
            pl.col("extra"),
            bad.alias("structural_reason"),
            pl.int_range(row, row + part.height, dtype=pl.Int64).alias("source_line"),
        )
        row += part.height
        yield with_provenance(frame, src)
