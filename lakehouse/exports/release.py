"""Build a release of the exports: read the release's partitions, build each dataset, write it
aside and publish it with one rename, point `LATEST` at it, update the contributor ledger, and
withdraw earlier releases that hold a student erased since.

Layout under `$LAKEHOUSE_HOME/exports/<dataset>/`:

    release=<id>/part-00000.parquet ...   (+ part-00000.jsonl.gz ... for pretrain, Dolma layout)
    release=<id>/DATASET_CARD.md
    LATEST                                 the id of the newest release (replaced atomically)
    .staging/                              where a release is built before it is published

A release id is `r-<first night>_<last night>-<sha8>`; the hash covers the sorted partitions, the
settings, the reward-model versions, the content of the rows read (a re-run partition that
changed, e.g. after an erasure, gives a new id) and the erasure audit of the release's
institutions. The same id therefore always means the same shards, byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.access import share_with_analysts
from lakehouse.atomic import STAGING, atomic_dir, atomic_file
from lakehouse.exports.cards import CARD_NAME, CardContext, ErasureNote, render_card
from lakehouse.exports.config import Dataset, ExportConfig
from lakehouse.exports.contributions import (
    Lineage,
    contributions_frame,
    erased_students_in,
    read_lineage,
    read_manifest,
    write_contributions,
    write_manifest,
)
from lakehouse.exports.datasets import (
    TEXT_COLUMNS,
    AnswerPool,
    BuiltDataset,
    answer_pool,
    critique_frame,
    pretrain_frame,
    reward_frame,
    sft_frame,
)
from lakehouse.exports.inputs import ReleaseInputs, load_inputs, sorted_refs
from lakehouse.exports.preference import preference_frame
from lakehouse.exports.shards import Shard, write_shards
from lakehouse.exports.withdrawal import withdraw_release, withdrawn_in_audit
from lakehouse.home import LakehouseHome, PartitionRef

LATEST_NAME: Final = "LATEST"
ERASURE_STEP: Final = "student not erased (audit)"

_POOL_BUILDERS: Final[dict[Dataset, Callable[[AnswerPool, ExportConfig], BuiltDataset]]] = {
    "sft": sft_frame,
    "preference": preference_frame,
    "reward": reward_frame,
    "critique": critique_frame,
}


def release_id(
    refs: Sequence[PartitionRef],
    config: ExportConfig,
    *,
    rm_versions: Sequence[str] = (),
    inputs_digest: str = "",
) -> str:
    """`r-<first night>_<last night>-<sha8>` of the partitions, settings, reward-model versions
    and the digest of the rows read (see the module docstring)."""
    ordered = sorted_refs(refs)
    nights = sorted({r.night for r in ordered})
    payload = json.dumps(
        {
            "partitions": [str(r) for r in ordered],
            "config": config.fingerprint(),
            "rm_versions": sorted(set(rm_versions)),
            "inputs": inputs_digest,
        },
        sort_keys=True,
    )
    sha = hashlib.sha256(payload.encode()).hexdigest()[:8]
    return f"r-{nights[0].isoformat()}_{nights[-1].isoformat()}-{sha}"


def build_datasets(inputs: ReleaseInputs, config: ExportConfig) -> dict[Dataset, BuiltDataset]:
    """Every configured dataset of a release, in memory (pure: no file is read or written)."""
    built: dict[Dataset, BuiltDataset] = {}
    pool: AnswerPool | None = None
    for dataset in config.datasets:
        if dataset == "pretrain":
            built[dataset] = pretrain_frame(inputs.curated, config, erased=inputs.erased)
            continue
        if pool is None:
            pool = answer_pool(
                inputs.scrubbed,
                curated=inputs.curated,
                reward_scores=inputs.reward_scores,
                erased=inputs.erased,
            )
        built[dataset] = _POOL_BUILDERS[dataset](pool, config)
    return built


@dataclass(frozen=True)
class DatasetRelease:
    """One published dataset of a release (for Dagster metadata and the CLI summary)."""

    dataset: Dataset
    release_id: str
    rows: int
    tokens: int
    shards: int
    path: Path
    card: Path
    files: tuple[Path, ...]
    funnel: pl.DataFrame
    contributors: int
    """Distinct pseudonymous students with an answer in the dataset."""
    lineage: Lineage


@dataclass(frozen=True)
class ReleaseResult:
    release_id: str
    refs: tuple[PartitionRef, ...]
    datasets: dict[Dataset, DatasetRelease]
    rm_versions: dict[str, int]
    erased_students: int
    """Erased students in the audit for the release's institutions (all excluded)."""
    blocked: tuple[Dataset, ...] = ()
    """Datasets the `gate` refused: not published, their LATEST left as it was."""


ReleaseGate = Callable[[Dataset, pl.DataFrame], bool]
"""Decides, before publishing, whether a built dataset may be released."""


def latest_release(home: LakehouseHome, dataset: Dataset) -> str | None:
    """The id in `exports/<dataset>/LATEST`, or None before the first release."""
    path = home.exports / dataset / LATEST_NAME
    if not path.is_file():
        return None
    text = path.read_text().strip()
    return text or None


def release_dir(home: LakehouseHome, dataset: Dataset, rid: str) -> Path:
    return home.exports / dataset / f"release={rid}"


def published_releases(home: LakehouseHome, dataset: Dataset) -> list[str]:
    """Ids of every release folder of a dataset, sorted."""
    folder = home.exports / dataset
    if not folder.is_dir():
        return []
    return sorted(p.name.removeprefix("release=") for p in folder.glob("release=*") if p.is_dir())


def _write_latest(home: LakehouseHome, dataset: Dataset, rid: str) -> None:
    with atomic_file(home.exports / dataset / LATEST_NAME) as tmp:
        tmp.write_text(rid + "\n")
        share_with_analysts(tmp)


def _excluded_rows(built: BuiltDataset) -> int:
    return sum(removed for step, removed, _ in built.funnel.steps if step == ERASURE_STEP)


def _lineage(home: LakehouseHome, dataset: Dataset, rid: str, inputs: ReleaseInputs) -> Lineage:
    """The lineage recorded by the release's first build, else computed now: the previous
    release is the current LATEST; withdrawn are every other release whose manifest holds a
    student of the erasure/withdrawal audit (withdrawn by this build) and those the rights path
    withdrew already (`release_withdrawn` audit events)."""
    recorded = read_lineage(home, dataset, rid)
    if recorded is not None:
        return recorded
    previous = latest_release(home, dataset)
    if previous == rid:
        previous = None
    erased_since = (
        erased_students_in(read_manifest(home, dataset, previous), inputs.erased) if previous else 0
    )
    holding = {
        other
        for other in published_releases(home, dataset)
        if other != rid and erased_students_in(read_manifest(home, dataset, other), inputs.erased)
    }
    withdrawn = tuple(sorted(holding | (set(withdrawn_in_audit(home, dataset)) - {rid})))
    return Lineage(
        release_id=rid,
        previous_release=previous,
        erased_since_previous=erased_since,
        withdrawn_releases=withdrawn,
    )


def _rm_versions(frame: pl.DataFrame) -> dict[str, int]:
    counts = frame.drop_nulls("rm_model_version").group_by("rm_model_version").len()
    return {str(v): int(n) for v, n in counts.sort("rm_model_version").iter_rows()}


@dataclass(frozen=True)
class _Build:
    """What every dataset of one release build shares."""

    rid: str
    inputs: ReleaseInputs
    config: ExportConfig
    rm_versions: dict[str, int]


def _stage_dataset(
    staged: Path, item: BuiltDataset, build: _Build, lineage: Lineage
) -> list[Shard]:
    """Write one dataset's shards and card into its staging folder."""
    dataset, config = item.dataset, build.config
    shards = write_shards(
        item.frame,
        staged,
        text_columns=TEXT_COLUMNS[dataset],
        max_rows=config.shard_max_rows,
        max_bytes=config.shard_max_bytes,
        jsonl=dataset == "pretrain",
    )
    card = render_card(
        CardContext(
            dataset=dataset,
            release_id=build.rid,
            refs=build.inputs.refs,
            config=config,
            frame=item.frame,
            funnel=item.funnel,
            shards=shards,
            rm_versions=(
                _rm_versions(item.frame.unnest("metadata"))
                if dataset == "reward"
                else build.rm_versions
            ),
            erasure=ErasureNote(
                erased_in_audit=build.inputs.erased.height,
                excluded_rows=_excluded_rows(item),
                previous_release=lineage.previous_release,
                erased_since_previous=lineage.erased_since_previous,
                withdrawn_releases=lineage.withdrawn_releases,
            ),
            missing_reward_partitions=build.inputs.missing_reward_partitions,
        )
    )
    (staged / CARD_NAME).write_text(card, encoding="utf-8")
    return shards


def _write_release_folder(
    home: LakehouseHome, item: BuiltDataset, build: _Build, lineage: Lineage
) -> tuple[Path, list[Shard]]:
    """Stage the dataset's release folder aside, shared with the analysts, and swap it in (a
    rebuilt release, same id and so the same bytes, replaces the old folder)."""
    final = release_dir(home, item.dataset, build.rid)
    final.parent.mkdir(parents=True, exist_ok=True)
    share_with_analysts(final.parent, recursive=False)
    try:
        with atomic_dir(final) as staged:
            shards = _stage_dataset(staged, item, build, lineage)
            share_with_analysts(staged)
    finally:
        with contextlib.suppress(OSError):
            (final.parent / STAGING).rmdir()  # only when empty: another build may be staging
    return final, shards


def _publish_dataset(home: LakehouseHome, item: BuiltDataset, build: _Build) -> DatasetRelease:
    """Publish one dataset: its folder, manifest, LATEST and contributor ledger, then withdraw
    the earlier releases that hold an erased or withdrawn student."""
    dataset, rid = item.dataset, build.rid
    lineage = _lineage(home, dataset, rid, build.inputs)
    final, shards = _write_release_folder(home, item, build, lineage)
    contributions = contributions_frame(item, rid)
    write_manifest(home, dataset, rid, contributions, lineage)
    _write_latest(home, dataset, rid)
    write_contributions(home, dataset, contributions)
    for old in lineage.withdrawn_releases:
        if release_dir(home, dataset, old).exists():
            withdraw_release(home, dataset, old, why=f"held students erased before {rid}")
    return DatasetRelease(
        dataset=dataset,
        release_id=rid,
        rows=item.rows,
        tokens=item.tokens,
        shards=len(shards),
        path=final,
        card=final / CARD_NAME,
        files=tuple(final / name for s in shards for name in s.files),
        funnel=item.funnel.frame(),
        contributors=contributions.select("institution_id", "student_pseudonym").unique().height,
        lineage=lineage,
    )


def build_release(
    home: LakehouseHome,
    refs: Sequence[PartitionRef],
    config: ExportConfig | None = None,
    *,
    gate: ReleaseGate | None = None,
) -> ReleaseResult:
    """Build, publish and point LATEST at the release of `refs` for every configured dataset.

    `gate(dataset, frame)` is asked about each built dataset before anything of it is written
    (the quality gate of the caller); a dataset it refuses is not published and is listed in
    `ReleaseResult.blocked`.

    Raises FileNotFoundError when `scrubbed_submissions` or `curated_documents` is missing for a
    partition (nothing is published then). Re-building an existing release rewrites the same
    bytes. Earlier releases holding a student erased since are deleted after publishing.
    """
    config = config or ExportConfig()
    inputs = load_inputs(home, refs)
    rm_versions = _rm_versions(inputs.reward_scores)
    rid = release_id(
        inputs.refs, config, rm_versions=list(rm_versions), inputs_digest=inputs.digest()
    )
    built = build_datasets(inputs, config)
    blocked = tuple(d for d, item in built.items() if gate is not None and not gate(d, item.frame))
    build = _Build(rid=rid, inputs=inputs, config=config, rm_versions=rm_versions)
    published = {
        dataset: _publish_dataset(home, item, build)
        for dataset, item in built.items()
        if dataset not in blocked
    }
    return ReleaseResult(
        release_id=rid,
        refs=inputs.refs,
        datasets=published,
        rm_versions=rm_versions,
        erased_students=inputs.erased.height,
        blocked=blocked,
    )
