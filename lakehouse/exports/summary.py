"""Summaries of releases: what a build published (the CLI's export table) and what is published
on disk now (`lakehouse status`)."""

from __future__ import annotations

import polars as pl

from lakehouse.exports.config import DATASETS
from lakehouse.exports.release import ReleaseResult, latest_release, release_dir
from lakehouse.home import LakehouseHome


def summary_table(result: ReleaseResult) -> pl.DataFrame:
    """One row per dataset: dataset, release, rows, tokens, shards (the CLI's export summary)."""
    return pl.DataFrame(
        [(d.dataset, d.release_id, d.rows, d.tokens, d.shards) for d in result.datasets.values()],
        schema={
            "dataset": pl.String,
            "release": pl.String,
            "rows": pl.Int64,
            "tokens": pl.Int64,
            "shards": pl.Int64,
        },
        orient="row",
    )


def published_summary(home: LakehouseHome) -> pl.DataFrame:
    """The LATEST release of each dataset as it is on disk (rows from the Parquet footers, no
    data read): dataset, release, rows, shards. Datasets never released are left out."""
    import pyarrow.parquet as pq

    rows = []
    for dataset in DATASETS:
        rid = latest_release(home, dataset)
        if rid is None:
            continue
        shards = sorted(release_dir(home, dataset, rid).glob("*.parquet"))
        rows.append(
            {
                "dataset": dataset,
                "release": rid,
                "rows": sum(pq.ParquetFile(f).metadata.num_rows for f in shards),
                "shards": len(shards),
            }
        )
    return pl.DataFrame(
        rows,
        schema={"dataset": pl.String, "release": pl.String, "rows": pl.Int64, "shards": pl.Int64},
    )
