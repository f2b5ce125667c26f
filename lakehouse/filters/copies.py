"""Copy clusters: near-identical answers by different students of one assignment, from the MinHash
step's clusters and the dedup index (`curated_documents` -> `lake/gold/copy_clusters/`)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lakehouse.filters.dedup_index import DedupIndex, partitions_of, ranked_before


def copy_clusters(
    *,
    documents: pl.DataFrame,
    index: DedupIndex | None = None,
    exclude_students: Sequence[str] = (),
) -> pl.DataFrame:
    """Near-identical answers by different students of one assignment: one row per (cluster,
    tonight's institution, assignment) with `members` (submission ids, partitions ranked before
    tonight's included), `students` (pseudonyms) and `other_institution_members` (copies in
    other institutions, counted, never named). Students in `exclude_students` (minors, unless
    the institution opts in) are left out of every cluster."""
    cols = [
        "minhash_dedup_cluster",
        "institution_id",
        "assignment_id",
        "submission_id",
        "student_pseudonym",
    ]
    tonight = documents.select(cols).drop_nulls("minhash_dedup_cluster")
    clustered = tonight.filter(
        pl.col("minhash_dedup_cluster").is_duplicated()
        | (
            pl.col("minhash_dedup_cluster")
            != pl.concat_str(["institution_id", "submission_id"], separator="/")
        )
    )
    if index is not None and clustered.height:
        # a re-run of an old night must not gain members from nights curated after it
        past = (
            index.entries(exclude=partitions_of(documents))
            .filter(ranked_before(documents))
            .join(
                clustered.select(cluster_id="minhash_dedup_cluster").unique().lazy(),
                on="cluster_id",
                how="semi",
            )
            .select(pl.col("cluster_id").alias("minhash_dedup_cluster"), *cols[1:])
            .collect()
        )
        clustered = pl.concat([past.select(cols), clustered.select(cols)])
    if exclude_students:
        left_out = pl.Series(list(exclude_students), dtype=pl.String).implode()
        clustered = clustered.filter(~pl.col("student_pseudonym").is_in(left_out))
    # Each institution's data serves that institution (shared/CONTRACT.md): a partition's rows
    # name only its own institution's submissions and students; other institutions' copies in
    # the same cluster are a count.
    own = pl.col("institution_id").is_in(tonight["institution_id"].unique().implode())
    elsewhere = clustered.group_by("minhash_dedup_cluster").agg(
        other_institution_members=pl.col("submission_id").filter(~own).n_unique()
    )
    return (
        clustered.filter(own)
        .group_by("minhash_dedup_cluster", "institution_id", "assignment_id")
        .agg(
            members=pl.col("submission_id").unique().sort(),
            students=pl.col("student_pseudonym").unique().sort(),
        )
        .filter(pl.col("students").list.len() >= 2)
        .join(elsewhere, on="minhash_dedup_cluster", how="left")
        .with_columns(pl.col("other_institution_members").cast(pl.UInt32))
        .rename({"minhash_dedup_cluster": "cluster_id"})
        .sort("cluster_id", "institution_id", "assignment_id")
    )
