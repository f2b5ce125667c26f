"""The persistent, versioned dedup index shared by paragraph, MinHash and exact dedup.

Layout under the folder you give it:

    parts/<institution_id>/<night>/<version>.parquet   one file per (institution, night)
    manifests/v000001.json, v000002.json, ...          which part file each partition uses
    CURRENT                                           the current manifest version

A night is recorded by writing its part file and a new manifest (written aside, then renamed), so
readers see the old version or the new one. Recording a night again *replaces* that partition's
entries, which is why re-running a night never finds its own documents. Lookups read only the
hash/key columns of the earlier partitions (not their text or signatures' sources), so a night
costs time proportional to its own documents plus a columnar scan of compact keys.
Erasure rewrites the part files holding the given pseudonyms and deletes the old files and the
manifests that referenced them: erased students leave no trace in any version.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from lakehouse.atomic import atomic_file, exclusive_lock, write_text_atomic

FORMAT_VERSION: Final[int] = 1
ENTRY_SCHEMA: Final[dict[str, pl.DataType]] = {
    "institution_id": pl.String(),
    "night": pl.Date(),
    "submission_id": pl.String(),
    "student_pseudonym": pl.String(),
    "assignment_id": pl.String(),
    "question_id": pl.String(),
    "exact_hash": pl.UInt64(),
    "paragraph_hashes": pl.List(pl.UInt64()),
    "band_keys": pl.List(pl.UInt64()),
    "cluster_id": pl.String(),
}


@dataclass(frozen=True)
class DedupIndex:
    folder: Path

    @contextmanager
    def _writer(self) -> Iterator[None]:
        """One writer at a time: `record` and `erase` read the current manifest and commit the
        next version, so two partitions curated at once (two runs) would otherwise both write
        version N+1 and one would silently drop out of the index."""
        with exclusive_lock(self.folder / ".writer.lock"):
            yield

    # -- versions ---------------------------------------------------------------------------
    def current_version(self) -> int:
        current = self.folder / "CURRENT"
        return int(current.read_text().strip()) if current.exists() else 0

    def manifest(self, *, version: int | None = None) -> dict[str, Any]:
        v = self.current_version() if version is None else version
        if v == 0:
            return {"format_version": FORMAT_VERSION, "version": 0, "parts": {}}
        path = self.folder / "manifests" / f"v{v:06d}.json"
        if not path.exists():
            raise FileNotFoundError(
                f"{path}: dedup index version {v} is gone (erased or never written)"
            )
        manifest: dict[str, Any] = json.loads(path.read_text())
        return manifest

    def _commit(self, parts: dict[str, str], note: str) -> int:
        version = self.current_version() + 1
        (self.folder / "manifests").mkdir(parents=True, exist_ok=True)
        body = {
            "format_version": FORMAT_VERSION,
            "version": version,
            "written_at": dt.datetime.now(dt.UTC).isoformat(),
            "note": note,
            "parts": dict(sorted(parts.items())),
        }
        write_text_atomic(
            self.folder / "manifests" / f"v{version:06d}.json", json.dumps(body, indent=1)
        )
        write_text_atomic(self.folder / "CURRENT", str(version))
        return version

    # -- reads -----------------------------------------------------------------------------
    def entries(
        self, *, exclude: Iterable[tuple[str, dt.date]] = (), version: int | None = None
    ) -> pl.LazyFrame:
        """All entries of the index (at `version`, default current), minus the partitions in
        `exclude` (the ones being processed now, which will replace theirs)."""
        skip = {f"{inst}|{night.isoformat()}" for inst, night in exclude}
        files = [
            str(self.folder / rel)
            for key, rel in self.manifest(version=version)["parts"].items()
            if key not in skip
        ]
        if not files:
            return pl.LazyFrame(schema=ENTRY_SCHEMA)
        return pl.scan_parquet(files)

    # -- writes ----------------------------------------------------------------------------
    def record(self, *, entries: pl.DataFrame) -> int:
        """Replace the entries of every (institution, night) present in `entries`; returns the
        new version."""
        entries = entries.select([pl.col(c).cast(t) for c, t in ENTRY_SCHEMA.items()])
        with self._writer():
            return self._record(entries)

    def _record(self, entries: pl.DataFrame) -> int:
        parts = dict(self.manifest()["parts"])
        for (inst, night), group in entries.group_by("institution_id", "night"):
            assert isinstance(night, dt.date)
            rel = Path("parts") / str(inst) / night.isoformat() / f"{uuid.uuid4().hex}.parquet"
            path = self.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(path) as tmp:
                group.write_parquet(tmp)
            parts[f"{inst}|{night.isoformat()}"] = str(rel)
        nights = entries.select("institution_id", "night").unique().height
        return self._commit(parts, note=f"recorded {entries.height} entries in {nights} partitions")

    def erase(self, *, student_pseudonyms: Iterable[str]) -> int:
        """Remove every entry of these students from the index and from its history; returns
        how many entries were removed."""
        erased = pl.Series(sorted(set(student_pseudonyms)), dtype=pl.String)
        with self._writer():
            return self._erase(erased)

    def _erase(self, erased: pl.Series) -> int:
        parts = dict(self.manifest()["parts"])
        current = {rel: key for key, rel in parts.items()}
        removed = 0
        stale: set[str] = set()
        # every part file on disk: superseded ones (older versions) hold personal data too
        for path in sorted((self.folder / "parts").rglob("*.parquet")):
            rel = str(path.relative_to(self.folder))
            frame = pl.read_parquet(path)
            hit = frame["student_pseudonym"].is_in(erased)
            if not hit.any():
                continue
            stale.add(rel)
            if rel not in current:
                continue
            removed += int(hit.sum())
            new_rel = str(Path(rel).parent / f"{uuid.uuid4().hex}.parquet")
            with atomic_file(self.folder / new_rel) as tmp:
                frame.filter(~hit).write_parquet(tmp)
            parts[current[rel]] = new_rel
        if not stale:
            return 0
        self._commit(parts, note=f"erased {erased.len()} students ({removed} entries)")
        # Older versions referencing the removed files would still hold the erased students.
        for manifest_path in sorted((self.folder / "manifests").glob("v*.json")):
            old = json.loads(manifest_path.read_text())
            if stale & set(old["parts"].values()):
                manifest_path.unlink()
        for rel in stale:
            (self.folder / rel).unlink(missing_ok=True)
        return removed


def partitions_of(frame: pl.DataFrame) -> list[tuple[str, dt.date]]:
    return [(str(i), n) for i, n in frame.select("institution_id", "night").unique().iter_rows()]


def ranked_before(frame: pl.DataFrame) -> pl.Expr:
    """Index entries of partitions that precede every partition of `frame` in the fixed order
    (night, institution): the only history that may judge tonight. Entries of partitions
    ranked after it (written by an earlier run, or by a run that got there first) are never
    read, so a re-run, or a run in another order, makes the same decisions."""
    first_inst, first_night = min(partitions_of(frame), key=lambda p: (p[1], p[0]))
    return (pl.col("night") < first_night) | (
        (pl.col("night") == first_night) & (pl.col("institution_id") < first_inst)
    )


def index_entries(documents: pl.DataFrame) -> pl.DataFrame:
    """The index rows of documents that went through the three dedup steps (for
    `DedupIndex.record`, called once the night's outputs are safely written)."""
    return documents.select(
        *[
            c
            for c in ENTRY_SCHEMA
            if c
            in (
                "institution_id",
                "night",
                "submission_id",
                "student_pseudonym",
                "assignment_id",
                "question_id",
            )
        ],
        exact_hash="exact_dedup_hash",
        paragraph_hashes="paragraph_dedup_hashes",
        band_keys="minhash_dedup_band_keys",
        cluster_id="minhash_dedup_cluster",
    )
