"""The institution x night multi-partition.

Institutions are dynamic partitions, added by the landing sensor (or `lakehouse run`) when a new
folder appears in `landing/`, so onboarding needs no code change. Nights are daily partitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from dagster import (
    AssetExecutionContext,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    MultiPartitionKey,
    MultiPartitionsDefinition,
)

from lakehouse.home import PartitionRef

INSTITUTION = "institution"
NIGHT = "night"
FIRST_NIGHT = "2020-01-01"

institution_partitions = DynamicPartitionsDefinition(name=INSTITUTION)
night_partitions = DailyPartitionsDefinition(start_date=FIRST_NIGHT, end_offset=1)
lakehouse_partitions = MultiPartitionsDefinition(
    {INSTITUTION: institution_partitions, NIGHT: night_partitions}
)


def partition_key(ref: PartitionRef) -> MultiPartitionKey:
    return MultiPartitionKey({INSTITUTION: ref.institution_id, NIGHT: ref.night.isoformat()})


def ref_from_keys(keys_by_dimension: Mapping[str, str]) -> PartitionRef:
    """The lakehouse partition a Dagster multi-partition key names."""
    return PartitionRef(
        keys_by_dimension[INSTITUTION], date.fromisoformat(keys_by_dimension[NIGHT])
    )


def ref_from_context(context: AssetExecutionContext) -> PartitionRef:
    """The lakehouse partition an asset run is materialising."""
    key = context.partition_key
    if not isinstance(key, MultiPartitionKey):
        raise ValueError(
            f"expected an institution x night partition key, got {key!r}; "
            "pick a partition in the UI or use `lakehouse run`"
        )
    return ref_from_keys(key.keys_by_dimension)
