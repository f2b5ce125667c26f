"""The scoring job: same rows on local Ray as in process, CLI entrypoint, tiny model built here."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.lake import write_partition

ROWS = 240


@pytest.fixture(scope="session")
def ray_session() -> Iterator[None]:
    """One local Ray for the session (num_cpus=1); left alone if something else started it."""
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    import ray

    started = not ray.is_initialized()
    if started:
        tmp = Path("/tmp") / f"ray-score-{os.getpid()}"  # Ray's socket paths have a length limit
        ray.init(num_cpus=1, include_dashboard=False, _temp_dir=str(tmp), log_to_driver=False)
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer, 32-dim BERT classifier with the packaged MiniLM tokenizer (no download)."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from lakehouse.reward.encoder import packaged_minilm_dir

    folder = tmp_path_factory.mktemp("cross_encoder")
    tokenizer = AutoTokenizer.from_pretrained(packaged_minilm_dir())
    tokenizer.save_pretrained(folder)
    torch.manual_seed(1)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=1,
    )
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def partition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `scrubbed_submissions` partition written the way the lake writes it."""
    home = LakehouseHome(tmp_path_factory.mktemp("score_home"))
    ref = PartitionRef("inst_a", date(2026, 1, 8))
    frame = pl.DataFrame(
        {
            "submission_id": [f"sub-{i:04d}" for i in range(ROWS)],
            "institution_id": ["inst_a"] * ROWS,
            "night": [ref.night] * ROWS,
            "course_id": ["PH102"] * ROWS,
            "question_text": [f"Explain question {i % 5} about motion." for i in range(ROWS)],
            "answer_text": [
                "The stone falls. " * (1 + i % 9) + f"Because of gravity {i}." for i in range(ROWS)
            ],
            "reference_answer": [None if i % 4 == 0 else "v = u + g t" for i in range(ROWS)],
            "grade": [float(i % 10) for i in range(ROWS)],
        }
    )
    return write_partition(home, "silver", "scrubbed_submissions", ref, frame)


def test_small_inputs_skip_ray(partition: Path, tiny_cross_encoder: Path) -> None:
    from ray_jobs.score import ScoreJobConfig, score_partitions

    result = score_partitions(
        inputs=[partition], model_path=tiny_cross_encoder, config=ScoreJobConfig(device="cpu")
    )
    assert result.mode == "in_process" and result.device == "cpu"
    scores = result.scores
    assert scores.height == ROWS
    assert scores.columns == [
        "submission_id",
        "institution_id",
        "night",
        "rm_score",
        "rm_model_version",
    ]
    assert scores["submission_id"].is_sorted()
    assert scores["rm_score"].is_between(0.0, 1.0).all()


@pytest.mark.slow
def test_cli_on_ray_gives_the_in_process_scores(
    ray_session: None,
    partition: Path,
    tiny_cross_encoder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ray_jobs.score import ScoreJobConfig, main, score_partitions

    out = tmp_path / "scores" / "part.parquet"
    main(
        [
            "--input",
            str(partition),
            "--model",
            str(tiny_cross_encoder),
            "--output",
            str(out),
            "--device",
            "cpu",
            "--local-threshold",
            "0",
            "--batch-size",
            "64",
        ]
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["rows"] == ROWS and summary["mode"] == "ray"
    written = pl.read_parquet(out)
    assert not list(out.parent.glob(".*"))  # nothing left aside
    local = score_partitions(
        inputs=[partition], model_path=tiny_cross_encoder, config=ScoreJobConfig(device="cpu")
    ).scores
    assert local["rm_model_version"].unique().to_list() == [summary["model_version"]]
    assert written.drop("rm_score").equals(local.drop("rm_score"))
    np.testing.assert_allclose(
        written["rm_score"].to_numpy(), local["rm_score"].to_numpy(), atol=1e-5
    )
