"""The institution x night multi-partition.

Institutions are dynamic partitions, added by the landing sensor (or `lakehouse run`) when a new
folder appears in `landing/`, so onboarding needs no code change. Nights are daily partitions
from the first night (`first_night`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dagster import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
)

from lakehouse.home import InvalidIdentifierError, LakehouseHome, PartitionRef, checked_night

INSTITUTION = "institution"
NIGHT = "night"
FALLBACK_FIRST_NIGHT = "2020-01-01"
FIRST_NIGHT_VARIABLE = "LAKEHOUSE_FIRST_NIGHT"


def first_night(environ: Mapping[str, str] = os.environ) -> str:
    """Where the night dimension starts: `LAKEHOUSE_FIRST_NIGHT` (YYYY-MM-DD) if set, else the
    earliest night landed under `LAKEHOUSE_HOME` when the definitions load, else 2020-01-01.

    Starting at the earliest landed night keeps the UI to the nights that exist (from 2020 the
    3-institution demo showed 7,584 partitions, 7,575 of them missing, and "Materialize all
    missing" would have launched thousands of empty runs); the definitions are read again on
    every code-location reload, so an earlier night landing later appears after a reload.
    """
    configured = environ.get(FIRST_NIGHT_VARIABLE)
    if configured:
        try:
            return checked_night(configured).isoformat()
        except InvalidIdentifierError as exc:
            raise ValueError(f"{FIRST_NIGHT_VARIABLE}: {exc}") from None
    landed = LakehouseHome.from_env(environ.get("LAKEHOUSE_HOME")).landed_partitions()
    return min(r.night for r in landed).isoformat() if landed else FALLBACK_FIRST_NIGHT


institution_partitions = DynamicPartitionsDefinition(name=INSTITUTION)
night_partitions = DailyPartitionsDefinition(start_date=first_night(), end_offset=1)
lakehouse_partitions = MultiPartitionsDefinition(
    {INSTITUTION: institution_partitions, NIGHT: night_partitions}
)


def partition_key(ref: PartitionRef) -> MultiPartitionKey:
    return MultiPartitionKey({INSTITUTION: ref.institution_id, NIGHT: ref.night.isoformat()})


class BadPartitionKeyError(ValueError):
    """A partition key that names no valid lakehouse partition (e.g. a traversal typed in the UI)."""


def ref_from_keys(keys_by_dimension: Mapping[str, str]) -> PartitionRef:
    """The lakehouse partition a Dagster multi-partition key names.

    Dagster accepts almost any dynamic partition key, `../../../../tmp/pwn` included, so the keys
    are validated here (`lakehouse.home`) before any path is built from them; a bad key fails the
    run before it has read or written anything.
    """
    try:
        return PartitionRef(keys_by_dimension[INSTITUTION], checked_night(keys_by_dimension[NIGHT]))
    except (KeyError, InvalidIdentifierError) as exc:
        raise BadPartitionKeyError(
            f"partition key {dict(keys_by_dimension)!r} names no lakehouse partition: {exc}. "
            "Institutions are landing folder names; delete the bad dynamic partition in the UI."
        ) from exc


def ref_from_context(context: AssetExecutionContext) -> PartitionRef:
    """The lakehouse partition an asset run is materialising."""
    key = context.partition_key
    if not isinstance(key, MultiPartitionKey):
        raise ValueError(
            f"expected an institution x night partition key, got {key!r}; "
            "pick a partition in the UI or use `lakehouse run`"
        )
    return ref_from_keys(key.keys_by_dimension)
