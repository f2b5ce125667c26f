"""Scrub a large partition on Ray: `lakehouse.pii.scrub_frame` over a Ray Dataset.

Each actor builds the Presidio engine once (spaCy load, registry) in its constructor and reuses it
for every batch; the roster and configuration travel to the actors once, as constructor
arguments. Ray Data costs a few seconds per run, so small partitions should call `scrub_frame`
directly; this pays off when a partition keeps several cores busy for minutes.

Library use (Ray already initialised, e.g. `ray.init(num_cpus=1, include_dashboard=False)` with
`RAY_AUTH_MODE=disabled` locally, or `RAY_ADDRESS` for a cluster):

    result = scrub_frame_on_ray(frame, roster=roster, config=config, actors=4)

Command line (`ray job submit -- python -m ray_jobs.scrub ...` on a cluster):

    python -m ray_jobs.scrub --input in.parquet --output out.parquet --roster roster.csv \\
        [--roll-number-pattern REGEX ...] [--actors N]
"""

from __future__ import annotations

import argparse
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa
import ray
import ray.data
from ray.data import ActorPoolStrategy, Dataset

from lakehouse.pii import (
    DEFAULT_CONFIG,
    DEFAULT_TEXT_COLUMNS,
    ENTITY_TYPES,
    PiiConfig,
    Roster,
    ScrubResult,
    build_engine,
    load_roster,
    scrub_frame,
)
from lakehouse.pseudonym import pseudonymise_series

ENTITY_COLUMN = "__pii_entities"
_ORDER = "__ray_row"


class ScrubActor:
    """A Ray Data callable class: one engine per actor, `scrub_frame` per batch."""

    def __init__(
        self,
        *,
        roster: Roster,
        config: PiiConfig,
        text_columns: tuple[str, ...],
        author_column: str | None,
    ) -> None:
        self.engine = build_engine(config=config)
        self.roster = roster
        self.config = config
        self.text_columns = text_columns
        self.author_column = author_column

    def __call__(self, batch: pa.Table) -> pa.Table:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        result = scrub_frame(
            frame,
            text_columns=self.text_columns,
            roster=self.roster,
            author_column=self.author_column,
            config=self.config,
            engine=self.engine,
            entity_column=ENTITY_COLUMN,
        )
        return result.frame.to_arrow()


def scrub_dataset(
    dataset: Dataset,
    *,
    roster: Roster,
    config: PiiConfig = DEFAULT_CONFIG,
    text_columns: Sequence[str] = DEFAULT_TEXT_COLUMNS,
    author_column: str | None = "student_id",
    actors: int = 1,
    batch_size: int = 4096,
    actor_cpus: float = 1.0,
) -> Dataset:
    """`dataset` scrubbed; each row gains `ENTITY_COLUMN` (entity types replaced in it).

    `actor_cpus` is what each actor reserves; on a one-CPU local Ray keep it below 1 so that
    Ray Data's own tasks can still be scheduled beside the actor."""
    return dataset.map_batches(
        ScrubActor,
        fn_constructor_kwargs={
            "roster": roster,
            "config": config,
            "text_columns": tuple(text_columns),
            "author_column": author_column,
        },
        batch_format="pyarrow",
        batch_size=batch_size,
        compute=ActorPoolStrategy(min_size=1, max_size=max(1, actors)),
        num_cpus=actor_cpus,
    )


def for_workers(
    frame: pl.DataFrame,
    *,
    roster: Roster,
    text_columns: Sequence[str],
    author_column: str | None,
) -> tuple[pl.DataFrame, Roster]:
    """What Ray workers get: the row order, the text columns, and the author's id and the
    roster's person ids under one pseudonym made with a random key that never leaves this
    process (so the author's own name is still found, and no raw id travels). The roster's
    names travel: they are what the scrubber looks for."""
    texts = [c for c in dict.fromkeys(text_columns) if c in frame.columns]
    columns: list[pl.Expr | str] = [pl.int_range(pl.len(), dtype=pl.UInt32).alias(_ORDER), *texts]
    if author_column is None or author_column not in frame.columns:
        return frame.select(columns), roster
    run_key = secrets.token_bytes(32)
    ids = (
        pl.concat(
            [
                frame.get_column(author_column).cast(pl.String),
                roster.people.get_column("person_id"),
                roster.variants.get_column("person_id"),
            ]
        )
        .drop_nulls()
        .unique()
    )
    mapping = dict(
        zip(ids, pseudonymise_series(ids, institution_id="ray", key=run_key), strict=True)
    )

    def hidden(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.String).replace_strict(mapping, default=None)

    shipped_roster = Roster(
        people=roster.people.with_columns(hidden("person_id")),
        variants=roster.variants.with_columns(hidden("person_id")),
        min_author_token_length=roster.min_author_token_length,
    )
    return frame.select(*columns, hidden(author_column).alias(author_column)), shipped_roster


def scrub_frame_on_ray(
    frame: pl.DataFrame,
    *,
    roster: Roster,
    config: PiiConfig = DEFAULT_CONFIG,
    text_columns: Sequence[str] = DEFAULT_TEXT_COLUMNS,
    author_column: str | None = "student_id",
    actors: int = 1,
    batch_size: int = 4096,
    actor_cpus: float = 1.0,
) -> ScrubResult:
    """`scrub_frame` on Ray actors: same rows in the same order, counts summed over batches.

    Only what scrubbing needs leaves this process (`for_workers`): the text columns, the row
    order and the author under a one-off pseudonym; the rows come back and are put in place here.
    """
    shipped, shipped_roster = for_workers(
        frame, roster=roster, text_columns=text_columns, author_column=author_column
    )
    blocks = [
        shipped.slice(start, batch_size).to_arrow()
        for start in range(0, max(shipped.height, 1), batch_size)
    ]
    dataset = ray.data.from_arrow(blocks)  # one block per batch, no repartition task
    scrubbed = scrub_dataset(
        dataset,
        roster=shipped_roster,
        config=config,
        text_columns=text_columns,
        author_column=author_column if author_column in shipped.columns else None,
        actors=actors,
        batch_size=batch_size,
        actor_cpus=actor_cpus,
    )
    tables = ray.get(scrubbed.to_arrow_refs())
    returned = pl.from_arrow(pa.concat_tables(tables)) if tables else shipped.clear()
    assert isinstance(returned, pl.DataFrame)
    if returned.height != frame.height:
        raise RuntimeError(f"Ray returned {returned.height} rows for {frame.height}")
    returned = returned.sort(_ORDER)
    out = frame.with_columns(returned.select(c for c in shipped.columns if c in text_columns))
    counts = dict.fromkeys(ENTITY_TYPES, 0)
    if ENTITY_COLUMN in returned.columns:
        for entity, n in (
            returned.get_column(ENTITY_COLUMN).explode().drop_nulls().value_counts().iter_rows()
        ):
            counts[entity] = int(n)
    columns = [c for c in text_columns if c in frame.columns]
    documents = sum(
        int(frame.select((pl.col(c).is_not_null() & (pl.col(c).str.len_bytes() > 0)).sum()).item())
        for c in columns
    )
    return ScrubResult(
        frame=out.select(frame.columns),
        counts=counts,
        documents=documents,
        distinct_documents=-1,
        analyzed=-1,
        nlp_engine="ray: see worker logs",
    )


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Scrub a Parquet file of submissions on Ray.")
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--roster", type=Path, required=True)
    ap.add_argument("--roll-number-pattern", action="append", default=None)
    ap.add_argument("--actors", type=int, default=1)
    args = ap.parse_args(argv)
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if not address:  # token auth guards a cluster; a local Ray has no one to guard against
            os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        ray.init(address=address, include_dashboard=False)
    config = PiiConfig(
        roll_number_patterns=tuple(args.roll_number_pattern)
        if args.roll_number_pattern
        else DEFAULT_CONFIG.roll_number_patterns
    )
    result = scrub_frame_on_ray(
        pl.read_parquet(args.input),
        roster=load_roster(args.roster),
        config=config,
        actors=args.actors,
    )
    result.frame.write_parquet(args.output)
    print({k: v for k, v in result.counts.items() if v})


if __name__ == "__main__":
    main()
