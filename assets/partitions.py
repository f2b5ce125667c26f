"""The lakehouse's Dagster partitions: one dynamic partition per landed institution x night.

A partition key is `<institution>/<YYYY-MM-DD>` (`str(PartitionRef)`), and a key exists only once
that folder has landed: the landing sensor and `lakehouse run` register every landed folder (from
`$LAKEHOUSE_FIRST_NIGHT` on, when it is set). Onboarding an institution needs no code change, and
the UI, a schedule or a "Materialize all missing" backfill can only ever launch partitions that
have data. A grid of two dimensions (a daily night dimension, later one of landed nights) could
not say that: Dagster's dimensions are independent, so every institution got every night, and the
3-institution demo showed 7,584 partitions, 7,575 of them phantoms (issue 13).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from dagster import AssetExecutionContext, DagsterInstance, DynamicPartitionsDefinition

from lakehouse.home import InvalidIdentifierError, LakehouseHome, PartitionRef, checked_night

PARTITIONS = "partition"
FIRST_NIGHT_VARIABLE = "LAKEHOUSE_FIRST_NIGHT"

lakehouse_partitions = DynamicPartitionsDefinition(name=PARTITIONS)


class BadPartitionKeyError(ValueError):
    """A partition key that names no valid lakehouse partition (e.g. a traversal typed in the UI)."""


def configured_first_night(environ: Mapping[str, str] = os.environ) -> date | None:
    """`$LAKEHOUSE_FIRST_NIGHT` (YYYY-MM-DD): landed nights before it are never registered or run,
    e.g. a historic dump an institution has not cleared for use. Unset: every landed night."""
    configured = environ.get(FIRST_NIGHT_VARIABLE)
    if not configured:
        return None
    try:
        return checked_night(configured)
    except InvalidIdentifierError as exc:
        raise ValueError(f"{FIRST_NIGHT_VARIABLE}: {exc}") from None


def partition_key(ref: PartitionRef) -> str:
    return str(ref)


def ref_from_key(key: str) -> PartitionRef:
    """The lakehouse partition a Dagster partition key names.

    Dagster accepts almost any dynamic partition key, `../../../../tmp/pwn/2026-01-05` included, so
    the key is validated here (`lakehouse.home`) before any path is built from it; a bad key fails
    the run before it has read or written anything.
    """
    institution, _, night = key.rpartition("/")
    try:
        return PartitionRef(institution, checked_night(night))
    except InvalidIdentifierError as exc:
        raise BadPartitionKeyError(
            f"partition key {key!r} names no lakehouse partition: {exc}. Keys are "
            "<institution>/<YYYY-MM-DD> of a landed folder; delete the bad dynamic partition in "
            "the UI."
        ) from exc


def ref_from_context(context: AssetExecutionContext) -> PartitionRef:
    """The lakehouse partition an asset run is materialising."""
    return ref_from_key(context.partition_key)


def landed_refs(home: LakehouseHome, environ: Mapping[str, str] = os.environ) -> list[PartitionRef]:
    """Every landed partition the lakehouse may run: from the configured first night on."""
    first = configured_first_night(environ)
    return [r for r in home.landed_partitions() if first is None or r.night >= first]


def unregistered_keys(refs: Iterable[PartitionRef], known: Iterable[str]) -> list[str]:
    """The keys of `refs` that are not dynamic partitions yet, in precedence order."""
    registered = set(known)
    ordered = sorted(set(refs), key=PartitionRef.precedence)
    return [k for r in ordered if (k := partition_key(r)) not in registered]


def register_partitions(instance: DagsterInstance, refs: Sequence[PartitionRef]) -> list[str]:
    """Adds the partitions of `refs` the instance does not know yet; returns their keys."""
    new = unregistered_keys(refs, instance.get_dynamic_partitions(PARTITIONS))
    if new:
        instance.add_dynamic_partitions(PARTITIONS, new)
    return new
