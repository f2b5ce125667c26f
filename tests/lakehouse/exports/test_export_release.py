"""Releases on a hand-made lake: layout, byte-identical rebuilds, erasure, cards, ledger."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest

import lakehouse.exports.release as release_module
from lakehouse.exports import (
    CARD_NAME,
    CONTRIBUTIONS_SCHEMA,
    DATASETS,
    EXPORT_COLUMNS,
    ExportConfig,
    build_release,
    contributions_path,
    dataset_tokens,
    latest_release,
    release_dir,
    summary_table,
)
from lakehouse.exports.cards import value_counts
from lakehouse.home import LakehouseHome, PartitionRef
from tests.lakehouse.exports.conftest import (
    INST,
    N1,
    N2,
    curated,
    erase,
    sample_answers,
    write_lake,
)

SMALL = ExportConfig(shard_max_rows=4)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _read(home: LakehouseHome, dataset: str, rid: str) -> pl.DataFrame:
    return pl.read_parquet(release_dir(home, dataset, rid) / "*.parquet")  # type: ignore[arg-type]


def test_layout_latest_ledger_and_summary(lake_home) -> None:
    home, refs = lake_home
    result = build_release(home, refs, SMALL)
    rid = result.release_id
    assert re.fullmatch(r"r-2026-01-05_2026-01-06-[0-9a-f]{8}", rid)
    assert set(result.datasets) == set(DATASETS)
    for dataset, item in result.datasets.items():
        folder = home.exports / dataset / f"release={rid}"
        assert item.path == folder and (folder / CARD_NAME).is_file()
        assert latest_release(home, dataset) == rid
        assert (home.exports / dataset / "LATEST").read_text() == rid + "\n"
        frame = _read(home, dataset, rid)
        assert frame.columns == list(EXPORT_COLUMNS[dataset])  # type: ignore[index]
        assert frame.height == item.rows and item.shards == len(list(folder.glob("*.parquet")))
        assert all(n <= 4 for n in (pl.read_parquet(f).height for f in folder.glob("*.parquet")))
        ledger = pl.read_parquet(contributions_path(home, dataset))
        assert ledger.schema == pl.Schema(CONTRIBUTIONS_SCHEMA)
        assert set(ledger["release_id"]) <= {rid} and set(ledger["dataset"]) <= {dataset}
        assert ledger["tokens"].sum() <= item.tokens
        assert not (home.exports / dataset / ".staging").exists()
    pretrain = home.exports / "pretrain" / f"release={rid}"
    assert len(list(pretrain.glob("*.jsonl.gz"))) == result.datasets["pretrain"].shards
    roles = pl.read_parquet(contributions_path(home, "preference"))["role"].unique().sort()
    assert roles.to_list() == ["chosen", "rejected"]
    table = summary_table(result)
    assert table.columns == ["dataset", "release", "rows", "tokens", "shards"]
    assert table["rows"].to_list() == [result.datasets[d].rows for d in DATASETS]


def test_rebuild_is_byte_identical(lake_home, tmp_path: Path) -> None:
    home, refs = lake_home
    first = build_release(home, refs, SMALL)
    before = _snapshot(home.exports)
    again = build_release(home, list(reversed(refs)), SMALL)
    assert again.release_id == first.release_id
    assert _snapshot(home.exports) == before
    # another copy of the same lake, elsewhere, gives the same bytes too
    other = LakehouseHome(tmp_path / "copy")
    shutil.copytree(home.lake, other.lake, ignore=shutil.ignore_patterns("export_*"))
    assert build_release(other, refs, SMALL).release_id == first.release_id
    assert _snapshot(other.exports) == before
    # different settings are a different release
    assert build_release(home, refs, ExportConfig()).release_id != first.release_id


def test_erasure_then_new_release(lake_home) -> None:
    home, refs = lake_home
    gone = "p_student0001"
    old = build_release(home, refs, SMALL).release_id
    ledger = pl.read_parquet(contributions_path(home, "sft"))
    assert gone in ledger["student_pseudonym"].to_list()

    # the erasure stage audits the student and the partitions holding them are re-run
    erase(home, INST, [gone])
    frame = sample_answers().filter(pl.col("student_pseudonym") != gone)
    write_lake(home, frame, curated_frame=curated(frame, dropped={"s0003": "perplexity"}))
    result = build_release(home, refs, SMALL)
    new = result.release_id
    assert new != old
    assert result.erased_students == 1
    for dataset in DATASETS:
        assert latest_release(home, dataset) == new
        assert not release_dir(home, dataset, old).exists()  # withdrawn: it held the student
        ledger = pl.read_parquet(contributions_path(home, dataset))
        assert gone not in ledger["student_pseudonym"].to_list()
        assert "s0001" not in ledger["submission_id"].to_list()
        card = (release_dir(home, dataset, new) / CARD_NAME).read_text()
        assert "as erased or as having withdrawn consent: 1;" in card
        assert "Rows dropped by this build's erasure check: 0." in card
        held = dataset != "preference" or result.datasets[dataset].lineage.erased_since_previous
        if held:
            assert f"Previous release `{old}`: 1 erased or withdrawn students" in card
            assert f"held students who were erased or withdrew consent: `{old}`" in card
    ids = _read(home, "pretrain", new)["id"].to_list()
    assert f"{INST}/s0001" not in ids
    # rebuilding the post-erasure release says the same
    before = _snapshot(home.exports)
    build_release(home, refs, SMALL)
    assert _snapshot(home.exports) == before


def test_audit_alone_drops_the_student_defensively(lake_home) -> None:
    home, refs = lake_home
    erase(home, INST, ["p_student0002"])  # the partitions were not re-run
    result = build_release(home, refs, SMALL)
    sft = pl.read_parquet(contributions_path(home, "sft"))
    assert "p_student0002" not in sft["student_pseudonym"].to_list()
    card = (result.datasets["sft"].card).read_text()
    assert "Rows dropped by this build's erasure check: 1." in card


def test_cards_numbers_match_the_data(lake_home) -> None:
    home, refs = lake_home
    result = build_release(home, refs, SMALL)
    for dataset, item in result.datasets.items():
        frame = _read(home, dataset, item.release_id)
        card = item.card.read_text()
        assert f"- rows: {frame.height}\n" in card
        assert f"- tokens: {dataset_tokens(frame, dataset)}\n" in card  # type: ignore[arg-type]
        assert f"- shards: {item.shards}\n" in card
        for language, n in value_counts(frame, "language"):
            assert f"| {language} | {n} |" in card
        institutions = frame.select(pl.col("metadata").struct.field("institution_id")).to_series()
        assert f"| {INST} | {institutions.len()} |" in card
        last = item.funnel.row(-1, named=True)
        assert last["remaining"] == frame.height
        assert f"| {last['step']} | {last['removed']} | {last['remaining']} |" in card
        assert "DPDP Act 2023" in card and "Presidio" in card
        assert 'datasets.load_dataset("parquet"' in card and "duckdb" in card and "polars" in card
        assert str(home.root) not in card
    reward = result.datasets["reward"].card.read_text()
    assert f"| rm-v1 | {result.datasets['reward'].rows} |" in reward
    sft = _read(home, "sft", result.release_id)
    top = sft.filter(pl.col("metadata").struct.field("grade_fraction") >= 0.9).height
    assert f"| 0.9-1.0 | {top} |" in result.datasets["sft"].card.read_text()


def test_reward_scores_missing_for_a_partition(home: LakehouseHome) -> None:
    frame = sample_answers()
    refs = write_lake(home, frame, score_refs=[PartitionRef(INST, N1)])
    result = build_release(home, refs, ExportConfig(datasets=("reward",)))
    reward = _read(home, "reward", result.release_id)
    nights = set(reward.select(pl.col("metadata").struct.field("night")).to_series())
    assert nights == {N1}
    card = result.datasets["reward"].card.read_text()
    assert f"Partitions without reward scores: 1 (`{INST}/{N2.isoformat()}`)." in card
    skipped = frame.filter((pl.col("night") == N2) & pl.col("grade").is_not_null()).height
    assert f"| scored by the reward model | {skipped} |" in card


def test_missing_silver_partition_publishes_nothing(lake_home) -> None:
    home, refs = lake_home
    with pytest.raises(FileNotFoundError, match="scrubbed_submissions"):
        build_release(home, [*refs, PartitionRef(INST, N2.replace(day=9))], SMALL)
    assert not home.exports.exists()


def test_a_failure_while_writing_leaves_no_half_release(lake_home, monkeypatch) -> None:
    home, refs = lake_home

    def broken(ctx: object) -> str:
        raise RuntimeError("card failed")

    monkeypatch.setattr(release_module, "render_card", broken)
    with pytest.raises(RuntimeError, match="card failed"):
        build_release(home, refs, SMALL)
    assert not list(home.exports.rglob("release=*"))
    assert not list(home.exports.rglob("*.parquet"))
    assert latest_release(home, "pretrain") is None


def test_a_dataset_refused_by_the_gate_is_not_published(lake_home) -> None:
    home, refs = lake_home
    first = build_release(home, refs, SMALL)
    asked: list[str] = []

    def refuse_sft(dataset: str, frame: pl.DataFrame) -> bool:
        asked.append(dataset)
        assert frame.columns == list(EXPORT_COLUMNS[dataset])  # type: ignore[index]
        return dataset != "sft"

    erase(home, INST, ["p_student0001"])
    second = build_release(home, refs, SMALL, gate=refuse_sft)
    assert sorted(asked) == sorted(DATASETS)
    assert second.blocked == ("sft",)
    assert "sft" not in second.datasets
    assert second.release_id != first.release_id
    assert latest_release(home, "sft") == first.release_id
    assert not release_dir(home, "sft", second.release_id).exists()
    assert latest_release(home, "critique") == second.release_id
