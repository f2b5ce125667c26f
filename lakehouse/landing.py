"""What has landed, and whether a night folder has finished landing.

LMS exports are copied into `landing/` by institutions' own tooling, without a completion marker
in the contract. A folder is treated as complete once nothing in it changed for `settle_seconds`,
and its fingerprint (names, sizes, modification times) tells when a late file changed a night that
was already processed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lakehouse.home import LakehouseHome, PartitionRef


@dataclass(frozen=True, slots=True)
class LandedNight:
    ref: PartitionRef
    fingerprint: str
    last_modified: float


def _entries(folder: Path) -> list[tuple[str, int, float]]:
    return sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime) for p in folder.iterdir() if p.is_file()
    )


def folder_fingerprint(folder: Path) -> str:
    """Changes when a file in the folder is added, removed, resized or touched."""
    return hashlib.sha256(repr(_entries(folder)).encode()).hexdigest()[:16]


def landed_night(home: LakehouseHome, ref: PartitionRef) -> LandedNight:
    entries = _entries(home.night_dir(ref))
    last = max((m for _, _, m in entries), default=home.night_dir(ref).stat().st_mtime)
    return LandedNight(ref, folder_fingerprint(home.night_dir(ref)), last)


def recent_landed_nights(
    home: LakehouseHome, refs: Sequence[PartitionRef], *, today: date, lookback_days: int
) -> list[LandedNight]:
    """The landed nights among `refs` (e.g. `home.landed_partitions()`) that lie within
    `lookback_days` of `today`, with their fingerprints."""
    oldest = today - timedelta(days=lookback_days)
    return [landed_night(home, ref) for ref in refs if oldest <= ref.night <= today]


def ready_to_ingest(
    nights: list[LandedNight],
    *,
    seen: dict[str, str],
    now: float,
    settle_seconds: float,
) -> list[LandedNight]:
    """Nights that are new or changed since `seen` (key -> fingerprint) and have settled."""
    return [
        n
        for n in nights
        if seen.get(str(n.ref)) != n.fingerprint and now - n.last_modified >= settle_seconds
    ]
