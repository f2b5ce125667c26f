"""`curated_documents` over generated nights: the funnel reconciles with the ledger, a re-run is
identical and never its own duplicate, models are trained only on earlier nights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from lakehouse.atomic import StagedTarget
from lakehouse.filters import build_default_chain
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import InstitutionConfig, write_institution_config
from lakehouse.lake import read_partition
from lakehouse.model_lineage import retire_models_trained_on
from lakehouse.pseudonym import load_key
from lakehouse.stages.curated import curated_partition, filter_models, trained_models
from lakehouse.tables import CURATED_TABLE, SCRUBBED_TABLE
from tests.lakehouse.filters.conftest import _make_frame
from tests.shared_data import FLORES, SAF, require


@pytest.fixture
def make_frame() -> Callable[..., pl.DataFrame]:
    return _make_frame


@pytest.fixture
def curated(pipeline_home: LakehouseHome) -> LakehouseHome:
    return pipeline_home


def test_funnel_reconciles_with_the_ledger(curated: LakehouseHome) -> None:
    for ref in curated.landed_partitions():
        ledger = read_partition(curated, "gold", "partition_ledger", ref).row(0, named=True)
        funnel = read_partition(curated, "gold", "filter_funnel", ref)
        docs = read_partition(curated, "silver", CURATED_TABLE, ref)
        assert ledger["reconciles"] is True
        assert ledger["scrubbed"] == docs.height == funnel["docs_in"][0]
        assert ledger["kept"] == funnel["docs_out"][-1] == docs["kept"].sum()
        assert ledger["dropped"] == funnel["dropped"].sum()
        assert (docs["drop_reason"].is_null() == docs["kept"]).all()


def test_first_night_has_no_models_and_later_nights_train_on_earlier_ones(
    curated: LakehouseHome,
) -> None:
    first, second = sorted({r.night for r in curated.landed_partitions()})
    refs = {r.night: r for r in curated.landed_partitions() if r.institution_id == "inst_000"}
    assert not curated.model_dir(refs[first], "filters").exists()
    assert curated.model_dir(refs[second], "filters").is_dir()
    docs = read_partition(curated, "silver", CURATED_TABLE, refs[second])
    assert docs["quality_judged"].any()


def test_rerunning_a_night_gives_the_same_documents(curated: LakehouseHome) -> None:
    ref = curated.landed_partitions()[0]
    before = read_partition(curated, "silver", CURATED_TABLE, ref)
    curated_partition(home=curated, ref=ref, key=load_key())
    after = read_partition(curated, "silver", CURATED_TABLE, ref)
    assert before.sort("submission_id").equals(after.sort("submission_id"))
    own = after.filter(
        pl.col("exact_dedup_duplicate_of")
        == pl.concat_str(["institution_id", "submission_id"], separator="/")
    )
    assert own.is_empty()


def _silver_night(home: LakehouseHome, ref: PartitionRef, frame: pl.DataFrame) -> None:
    folder = home.partition_dir("silver", SCRUBBED_TABLE, ref)
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(folder / "part-0.parquet")


def _real_answers(kind: str) -> tuple[list[str], list[float | None]]:
    if kind == "flores_hindi":
        flores = pl.read_csv(require(FLORES), separator="\t", quote_char=None)
        texts = flores.filter(pl.col("lang") == "hi")["text"].head(40).to_list()
        return texts, [None] * len(texts)
    saf = pl.read_ndjson(require(SAF)).head(40 if kind != "saf_graded" else 300)
    answers = saf.get_column(next(c for c in saf.columns if "answer" in c.lower())).to_list()
    if kind == "saf_ungraded":
        return answers, [None] * len(answers)
    if kind == "three_rows":
        return answers[:3], [1.0, 0.0, 0.5]
    return answers, [float(g) * 10 for g in saf.get_column("score").to_list()]


@pytest.mark.parametrize("kind", ["saf_ungraded", "flores_hindi", "three_rows", "saf_graded"])
def test_filter_models_with_little_or_no_history_never_crash(
    tmp_path: Path, make_frame: Callable[..., pl.DataFrame], kind: str
) -> None:
    """Nights after the first of an institution without grades crashed (issue 13): the staging
    folder was renamed though nothing had been trained into it. A killed run's leftover staging
    folder must not break the next run either."""
    home = LakehouseHome(tmp_path / "home")
    first, second = (
        PartitionRef("inst_x", date(2026, 1, 5)),
        PartitionRef("inst_x", date(2026, 1, 6)),
    )
    texts, grades = _real_answers(kind)
    _silver_night(
        home, first, make_frame(texts, institution="inst_x", night=first.night, grades=grades)
    )
    staging = StagedTarget.beside(home.model_dir(second, "filters"))
    leftover = staging.staging_root / f"{staging.prefix}killed"
    (leftover / "perplexity" / "en").mkdir(parents=True)
    (leftover / "perplexity" / "en" / "half-written").write_text("killed here")

    folder = filter_models(home, second, history_nights=7)
    assert folder == home.model_dir(second, "filters") and folder.is_dir()
    assert not leftover.exists()
    trained = trained_models(folder)
    assert filter_models(home, second, history_nights=7) == folder  # re-run reuses the decision
    tonight = make_frame(texts, institution="inst_x", night=second.night, grades=grades)
    docs = build_default_chain(model_dir=folder, index_dir=None).run(tonight).documents
    assert docs.height == len(texts)
    if kind == "saf_graded":
        assert trained == ["perplexity/en", "quality"]
        assert docs["quality_judged"].all() and docs["perplexity_judged"].any()
    else:
        # nothing to learn from: the steps say so and pass every document unjudged
        assert trained == []
        assert not docs["quality_judged"].any() and docs["quality_pass"].all()
        assert docs["perplexity_pass"].all()


def test_rerunning_every_night_in_any_order_gives_the_same_decisions(
    curated: LakehouseHome,
) -> None:
    """A plain re-run changed which documents were kept (issue 13): partitions were run
    institution by institution while dedup ranks them night by night, so a re-run saw index
    entries the first run had not. Partitions now run in precedence order, and dedup reads only
    partitions ranked before tonight, so re-curating every night, even in reverse order, changes
    nothing: not the documents, not the copy clusters."""
    refs = curated.landed_partitions()
    assert refs == sorted(refs, key=PartitionRef.precedence)
    assert len({r.institution_id for r in refs}) > 1 and len({r.night for r in refs}) > 1

    def tables() -> dict[str, pl.DataFrame]:
        return {
            f"{table}/{ref}": read_partition(curated, layer, table, ref).sort("submission_id")
            if table == CURATED_TABLE
            else read_partition(curated, layer, table, ref).sort("cluster_id", "assignment_id")
            for ref in refs
            for layer, table in (("silver", CURATED_TABLE), ("gold", "copy_clusters"))
        }

    before = tables()
    for ref in reversed(refs):
        curated_partition(home=curated, ref=ref, key=load_key())
    after = tables()
    changed = [name for name in before if not before[name].equals(after[name])]
    assert changed == []


def test_an_institutions_own_non_answer_phrases_reach_the_chain(
    tmp_path: Path, make_frame: Callable[..., pl.DataFrame]
) -> None:
    home = LakehouseHome(tmp_path / "home")
    ref = PartitionRef("inst_x", date(2026, 1, 5))
    write_institution_config(
        home, ref.institution_id, InstitutionConfig(non_answer_phrases=("skipped this one sir",))
    )
    texts = [
        "Skipped this one sir",
        "TCP retransmits a segment when its timer expires before an acknowledgement arrives.",
    ]
    _silver_night(home, ref, make_frame(texts, institution="inst_x", night=ref.night))
    curated_partition(home=home, ref=ref, key=load_key())
    docs = read_partition(home, "silver", CURATED_TABLE, ref).sort("submission_id")
    assert docs["drop_reason"].to_list()[0] == "non_answer"
    assert docs["non_answer_pass"].to_list()[1] is True


def test_erasure_retires_the_filter_models_that_learnt_from_the_student(
    tmp_path: Path, make_frame: Callable[..., pl.DataFrame]
) -> None:
    """Issue 16: models trained on a window that held an erased (or withdrawn) student were
    reused for ever. They are retired, and the night trains them again without the student."""
    home = LakehouseHome(tmp_path / "home")
    first, second = (
        PartitionRef("inst_x", date(2026, 1, 5)),
        PartitionRef("inst_x", date(2026, 1, 6)),
    )
    texts, grades = _real_answers("saf_graded")
    _silver_night(
        home, first, make_frame(texts, institution="inst_x", night=first.night, grades=grades)
    )
    folder = filter_models(home, second, history_nights=7)
    assert folder is not None and folder.is_dir()
    assert retire_models_trained_on(home, ["not-a-student-of-this-window"]) == []
    assert folder.is_dir()
    assert retire_models_trained_on(home, ["stu3"]) == [folder]
    assert not folder.exists()
    assert filter_models(home, second, history_nights=7) == folder  # trained again on demand
