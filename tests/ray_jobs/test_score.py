"""The scoring job: same rows on local Ray as in process, CLI entrypoint, tiny model built here."""

from __future__ import annotations

import json
import os
import shutil
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
    from ray_jobs.score import ScoreJobConfig, score_partitions
    from ray_jobs.score_cli import main

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


@pytest.fixture
def two_node_cluster() -> Iterator[str]:
    """A real two-node Ray cluster on this machine: a head and a worker node that alone has the
    custom resource `scoring_node`. Both run in their own temp dir (so no other driver on the
    machine finds them) and their own process group, killed by group id afterwards (never
    `ray stop`, which would stop every Ray on the machine). Yields the head's address."""
    import signal
    import socket
    import subprocess
    import sys
    import tempfile

    ray_cli = str(Path(sys.executable).with_name("ray"))
    temp = Path(tempfile.mkdtemp(prefix="r2n", dir="/tmp"))  # short: Ray's socket path limit
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    common = ["--block", "--num-cpus", "1", "--disable-usage-stats"]
    nodes: list[subprocess.Popen[bytes]] = []

    def start(args: list[str]) -> None:
        nodes.append(
            subprocess.Popen(
                [ray_cli, "start", *args, *common],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )

    try:
        with socket.socket() as probe:  # a free port, so both nodes can start at once
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        address = f"127.0.0.1:{port}"
        head = ["--head", "--port", str(port), "--temp-dir", str(temp)]
        start([*head, "--node-ip-address", "127.0.0.1", "--include-dashboard=false"])
        worker = ["--address", address, "--node-ip-address", "127.0.0.1"]
        start([*worker, "--resources", json.dumps({"scoring_node": 1})])
        yield address
    finally:
        for node in reversed(nodes):  # each node's processes share its session: kill them all
            if node.poll() is None:
                os.killpg(node.pid, signal.SIGKILL)
            node.wait(timeout=20)
        shutil.rmtree(temp, ignore_errors=True)


DRIVER = """
import shutil, sys
from pathlib import Path
import polars as pl
from lakehouse.reward import INPUT_COLUMNS
from ray_jobs.score import ModelFiles, ScoreJobConfig, expand_inputs, score_on_ray

private, out = Path(sys.argv[1]), Path(sys.argv[2])
rows = pl.read_parquet(expand_inputs([private / "partition"]), columns=list(INPUT_COLUMNS))
model = ModelFiles.read(private / "model")
shutil.rmtree(private)  # from here on no file of the inputs or the model exists anywhere
config = ScoreJobConfig(device="cpu", actor_resources={"scoring_node": 1}, blocks_per_actor=2)
scores, actors, device = score_on_ray(rows.to_arrow(), model=model, config=config)
assert not private.exists()
scores.write_parquet(out)
print(actors, device, scores.height)
"""


@pytest.mark.slow
def test_two_node_cluster_scores_on_the_worker_node_like_in_process(
    two_node_cluster: str, partition: Path, tiny_cross_encoder: Path, tmp_path: Path
) -> None:
    """Issue 17: `RAY_ADDRESS` points the job at a real two-node cluster; the scoring actors need
    `scoring_node`, which only the worker node has, so they run there; the scores equal the
    in-process ones. No shared filesystem is needed: the driver reads the rows and the model's
    files from a private copy, deletes the copy, and only then starts the actors, so they can have
    received rows and model through Ray only (an actor reading a path would fail)."""
    import subprocess
    import sys

    from ray_jobs.score import ScoreJobConfig, score_partitions

    private = tmp_path / "driver_only"
    shutil.copytree(partition, private / "partition")
    shutil.copytree(tiny_cross_encoder, private / "model")
    out = tmp_path / "scores.parquet"
    env = {**os.environ, "RAY_ADDRESS": two_node_cluster, "RAY_AUTH_MODE": "disabled"}
    probe = (
        "import ray, time\n"
        "ray.init()\n"
        "deadline = time.monotonic() + 30\n"
        "while ray.cluster_resources().get('scoring_node', 0) < 1:\n"
        "    assert time.monotonic() < deadline, 'the worker node did not join'\n"
        "    time.sleep(0.5)\n"
        "print(len([n for n in ray.nodes() if n['Alive']]))\n"
    )
    joined = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert joined.returncode == 0, joined.stderr[-2000:]
    assert joined.stdout.strip().splitlines()[-1] == "2"
    job = subprocess.run(
        [sys.executable, "-c", DRIVER, str(private), str(out)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert job.returncode == 0, job.stderr[-2000:]
    assert job.stdout.strip().splitlines()[-1] == f"1 cpu {ROWS}"
    assert not private.exists()
    local = score_partitions(
        inputs=[partition], model_path=tiny_cross_encoder, config=ScoreJobConfig(device="cpu")
    ).scores
    written = pl.read_parquet(out).cast(local.schema).sort("submission_id")
    assert written.drop("rm_score").equals(local.drop("rm_score"))
    np.testing.assert_allclose(
        written["rm_score"].to_numpy(), local["rm_score"].to_numpy(), atol=1e-5
    )
