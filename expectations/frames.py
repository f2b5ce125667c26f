"""Polars to pandas for GX (which has no polars support), with dtypes that do not depend on nulls.

Plain `to_pandas()` turns an integer column with a null into float64 and a boolean column with a
null into object, so a type expectation would pass or fail depending on the data. Integers and
booleans are mapped to pandas' nullable dtypes (`Int64`, `boolean`) instead; strings become pandas'
`str` dtype (Arrow-backed), which lets pandas run RE2-compatible regexes in Arrow.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import polars as pl
import pyarrow as pa

_TYPES: dict[pa.DataType, object] = {
    pa.bool_(): pd.BooleanDtype(),
    pa.int8(): pd.Int64Dtype(),
    pa.int16(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.Int64Dtype(),
    pa.uint16(): pd.Int64Dtype(),
    pa.uint32(): pd.Int64Dtype(),
}


def to_pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """The frame as pandas with a RangeIndex (row positions), nullable ints and booleans."""
    return frame.to_pandas(types_mapper=_TYPES.get)


@lru_cache(maxsize=64)
def pandas_type_name(dtype: pl.DataType) -> str:
    """The pandas dtype name a polars column of `dtype` has after `to_pandas`, as GX reports it
    (`ExpectColumnTypeToBe`): found by converting an empty column, so the two never disagree."""
    return str(to_pandas(pl.DataFrame(schema={"c": dtype})).dtypes["c"])
