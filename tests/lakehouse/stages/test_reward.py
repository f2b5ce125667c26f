"""Which reward model scores a night: never one trained on that night, reused by re-runs."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import (
    InstitutionConfig,
    load_institution_config,
    write_institution_config,
)
from lakehouse.lake import read_partition, write_partition
from lakehouse.model_lineage import retire_models_trained_on
from lakehouse.reward import GradePredictorConfig, load_reward_model, score_frame
from lakehouse.reward.embedding_store import KEY_COLUMN, distinct_texts, text_keys
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.report import calibration_markdown, night_agreement, per_course_markdown
from lakehouse.reward.scoring import use_stored_embeddings
from lakehouse.reward.window import embed_partition
from lakehouse.stages.reward import choose_reward_model, model_root, write_reward_scores
from lakehouse.tables import EMBEDDINGS_TABLE, REWARD_TABLE


@pytest.fixture
def reward_home(pipeline_home: LakehouseHome, tmp_path: Path) -> LakehouseHome:
    """A private copy of the shared pipeline home (this stage writes models/)."""
    root = tmp_path / "home"
    shutil.copytree(pipeline_home.root, root, ignore=shutil.ignore_patterns("models", "index"))
    return LakehouseHome(root)


def _nights(home: LakehouseHome) -> list[PartitionRef]:
    return sorted(home.landed_partitions(), key=lambda r: (r.night, r.institution_id))


def test_first_night_is_scored_cold_start_without_training(reward_home: LakehouseHome) -> None:
    first = _nights(reward_home)[0]
    choice = choose_reward_model(home=reward_home, ref=first)
    assert choice.scope == "cold_start"
    assert choice.version.startswith("rs-")
    frame = read_partition(reward_home, "silver", "scrubbed_submissions", first)
    model = load_reward_model(path=choice.path, device="cpu")
    scores = score_frame(frame, model=model)
    assert scores.height == frame.height
    assert scores["rm_score"].is_between(0.0, 1.0).all()
    assert scores["rm_score"].n_unique() > 10
    again = score_frame(frame, model=load_reward_model(path=choice.path, device="cpu"))
    assert np.array_equal(scores["rm_score"].to_numpy(), again["rm_score"].to_numpy())


def test_later_night_uses_a_model_trained_only_on_earlier_nights(
    reward_home: LakehouseHome,
) -> None:
    refs = _nights(reward_home)
    second = refs[-1]
    choice = choose_reward_model(home=reward_home, ref=second)
    assert choice.scope == "institution"
    assert choice.version.startswith("gp-")
    assert date.fromisoformat(choice.metadata["cutoff_night"]) == second.night
    assert date.fromisoformat(choice.metadata["training_nights"]["last"]) < second.night
    # re-running the night reuses the model it was scored with
    again = choose_reward_model(home=reward_home, ref=second)
    assert again.reused and again.version == choice.version and again.path == choice.path
    frame = read_partition(reward_home, "silver", "scrubbed_submissions", second)
    scores = score_frame(frame, model=load_reward_model(path=choice.path, device="cpu"))
    assert (scores["rm_model_version"] == choice.version).all()
    write_reward_scores(reward_home, second, scores)
    written = read_partition(reward_home, "gold", REWARD_TABLE, second)
    assert written.sort("submission_id").equals(scores.sort("submission_id"))
    tonight = night_agreement(frame, scores)
    graded = frame.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0)).height
    assert tonight.overall["rows"] == graded > 0
    assert tonight.overall["spearman"] is not None and tonight.overall["spearman"] > 0.3
    assert sum(b["rows"] for b in tonight.calibration) == graded
    assert calibration_markdown(tonight.calibration).count("\n") == len(tonight.calibration) + 1
    assert set(tonight.per_course) == set(frame["course_id"].unique())
    assert per_course_markdown(tonight.per_course).startswith("| course |")
    # an erasure (or withdrawal) of a student of the training window retires the model
    # (issue 16); the night chooses, and trains, again when it next runs
    earlier = next(r for r in refs if r.institution_id == second.institution_id and r != second)
    learnt_from = read_partition(reward_home, "silver", "scrubbed_submissions", earlier)
    student = learnt_from.filter(pl.col("grade").is_not_null())["student_pseudonym"][0]
    root = model_root(reward_home, second)
    assert root in retire_models_trained_on(reward_home, [student])
    assert not root.exists()
    retrained = choose_reward_model(home=reward_home, ref=second)
    assert not retrained.reused and retrained.scope == "institution"


def _opt_in(home: LakehouseHome, *institutions: str) -> None:
    for institution in institutions:
        write_institution_config(home, institution, InstitutionConfig(pooled_reward_model=True))


def _too_few_of_its_own(home: LakehouseHome, ref: PartitionRef) -> GradePredictorConfig:
    """A training minimum just above the institution's own graded answers before `ref.night`."""
    history = pl.read_parquet(
        home.table_dir("silver", "scrubbed_submissions")
        / f"institution={ref.institution_id}"
        / "night=*"
        / "*.parquet"
    ).filter(pl.col("night") < ref.night)
    graded = history.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0)).height
    return GradePredictorConfig(min_training_rows=graded + 1)


def test_new_institution_borrows_the_pool_of_institutions_that_opted_in(
    reward_home: LakehouseHome,
) -> None:
    second = _nights(reward_home)[-1]
    config = _too_few_of_its_own(reward_home, second)
    institutions = sorted({r.institution_id for r in _nights(reward_home)})
    assert len(institutions) == 2
    _opt_in(reward_home, *institutions)
    choice = choose_reward_model(home=reward_home, ref=second, config=config)
    assert choice.scope == "pooled"
    assert choice.institutions == tuple(institutions)
    assert choice.metadata["rows"]["graded"] >= config.min_training_rows
    assert date.fromisoformat(choice.metadata["training_nights"]["last"]) < second.night
    again = choose_reward_model(home=reward_home, ref=second, config=config)
    assert again.reused and again.institutions == choice.institutions


def test_pooled_model_is_off_by_default_and_uses_only_opted_in_institutions(
    reward_home: LakehouseHome,
) -> None:
    """Issue 16: an institution's grades serve only itself unless it opts in; without an opted-in
    pool an institution short of grades gets the cold-start model, not other institutions' data."""
    second = _nights(reward_home)[-1]
    other = next(r.institution_id for r in _nights(reward_home) if r != second)
    assert other != second.institution_id
    config = _too_few_of_its_own(reward_home, second)
    assert not load_institution_config(reward_home, second.institution_id).pooled_reward_model
    default = choose_reward_model(home=reward_home, ref=second, config=config)
    assert default.scope == "cold_start" and default.institutions == ()
    # the institution opts in, but the only other one does not: its pool is itself, too small
    shutil.rmtree(model_root(reward_home, second))
    _opt_in(reward_home, second.institution_id)
    alone = choose_reward_model(home=reward_home, ref=second, config=config)
    assert alone.scope == "cold_start"
    # the other opts in, but this one does not: it may not borrow
    shutil.rmtree(model_root(reward_home, second))
    write_institution_config(reward_home, second.institution_id, InstitutionConfig())
    _opt_in(reward_home, other)
    assert choose_reward_model(home=reward_home, ref=second, config=config).scope == "cold_start"


def test_configured_model_folder_is_used_as_given(
    reward_home: LakehouseHome, tmp_path: Path
) -> None:
    first = _nights(reward_home)[0]
    cold = choose_reward_model(home=reward_home, ref=first)
    chosen = choose_reward_model(home=reward_home, ref=first, configured_path=cold.path)
    assert chosen.scope == "configured" and chosen.path == cold.path
    assert chosen.version == cold.version


def test_training_rows_are_capped_by_a_fixed_sample(reward_home: LakehouseHome) -> None:
    second = _nights(reward_home)[-1]
    choice = choose_reward_model(home=reward_home, ref=second, max_training_rows=60)
    assert choice.scope == "institution"
    assert choice.metadata["rows"]["graded"] == 60
    other = LakehouseHome(reward_home.root.with_name("again"))
    shutil.copytree(reward_home.root, other.root, ignore=shutil.ignore_patterns("models"))
    again = choose_reward_model(home=other, ref=second, max_training_rows=60)
    assert again.version == choice.version  # the same sample, so the same model


def test_each_text_is_encoded_once_and_reused_by_training_and_scoring(
    reward_home: LakehouseHome,
) -> None:
    """Issue 17: the store holds a partition's distinct texts; a re-run encodes nothing, a later
    night only its new texts, training nothing stored, scoring nothing, and the scores equal
    those of a model that encodes everything itself."""
    refs = [
        r
        for r in _nights(reward_home)
        if r.institution_id == _nights(reward_home)[0].institution_id
    ]
    first, second = refs[0], refs[-1]
    encoder = TextEncoder(device="cpu")
    stored = embed_partition(home=reward_home, ref=first, encoder=encoder)
    scrubbed = read_partition(reward_home, "silver", "scrubbed_submissions", first)
    assert stored.texts == len(distinct_texts(scrubbed)) == stored.encoded > 0
    table = read_partition(reward_home, "silver", EMBEDDINGS_TABLE, first)
    assert table.height == stored.texts and table[KEY_COLUMN].n_unique() == stored.texts

    rerun = embed_partition(home=reward_home, ref=first, encoder=TextEncoder(device="cpu"))
    assert (rerun.texts, rerun.encoded) == (stored.texts, 0)
    assert read_partition(reward_home, "silver", EMBEDDINGS_TABLE, first).equals(table)

    later = TextEncoder(device="cpu")
    tonight = embed_partition(home=reward_home, ref=second, encoder=later)
    tonight_texts = distinct_texts(
        read_partition(reward_home, "silver", "scrubbed_submissions", second)
    )
    new = set(tonight_texts) - set(distinct_texts(scrubbed))
    assert tonight.encoded == len(new) < tonight.texts  # questions and references were stored
    choice = choose_reward_model(home=reward_home, ref=second, encoder=later)
    assert choice.scope == "institution"
    assert later.texts_encoded == tonight.encoded  # training encoded nothing

    frame = read_partition(reward_home, "silver", "scrubbed_submissions", second)
    model = load_reward_model(path=choice.path, device="cpu")
    assert (
        use_stored_embeddings(
            model, read_partition(reward_home, "silver", EMBEDDINGS_TABLE, second)
        )
        == tonight.texts
    )
    scores = score_frame(frame, model=model)
    assert model.encoder.texts_encoded == 0  # type: ignore[attr-defined]
    plain = score_frame(frame, model=load_reward_model(path=choice.path, device="cpu"))
    assert np.allclose(scores["rm_score"].to_numpy(), plain["rm_score"].to_numpy(), atol=1e-5)


def test_a_re_run_without_a_students_answers_drops_their_texts_from_the_store(
    reward_home: LakehouseHome,
) -> None:
    """Erasure re-runs the partitions that held the student: their texts leave the store."""
    ref = _nights(reward_home)[0]
    encoder = TextEncoder(device="cpu")
    embed_partition(home=reward_home, ref=ref, encoder=encoder)
    scrubbed = read_partition(reward_home, "silver", "scrubbed_submissions", ref)
    student = scrubbed["student_pseudonym"].drop_nulls()[0]
    theirs = set(scrubbed.filter(pl.col("student_pseudonym") == student)["answer_text"].to_list())
    remaining = scrubbed.filter(pl.col("student_pseudonym") != student)
    gone = theirs - set(distinct_texts(remaining))
    assert gone
    write_partition(reward_home, "silver", "scrubbed_submissions", ref, remaining)
    rerun = embed_partition(home=reward_home, ref=ref, encoder=encoder)
    keys = set(read_partition(reward_home, "silver", EMBEDDINGS_TABLE, ref)[KEY_COLUMN].to_list())
    assert rerun.encoded == 0
    assert not keys & set(text_keys(gone))
    assert keys == set(text_keys(distinct_texts(remaining)))
