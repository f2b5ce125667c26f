"""The reward stage of one partition: which model scores the night, and its `reward_scores`.

A night is scored by a model that never saw its grades. The model for `(institution, night)` lives
in `models/<institution>/reward/before=<night>/<version>/` and is chosen once, then reused by
every re-run of that night (so a re-run gives the same scores):

1. `configured`: a model folder given by the deployment (a production Hugging Face reward model
   on the GPU cluster, or a grade predictor trained elsewhere);
2. `institution`: a grade predictor trained on the institution's graded answers of the
   `history_nights` nights before this one;
3. `pooled`: the same, over the nights in that window of every institution that opted in to the
   pooled reward model (`InstitutionConfig.pooled_reward_model`, off by default), when the
   institution alone has too few graded answers (a new institution) and has opted in itself:
   each institution's data serves only that institution unless it opts in;
4. `cold_start`: `ReferenceSimilarity`, which learns nothing, when there is no graded history it
   may use (the first night of a new lakehouse, or a new institution outside the pool).

The scores (`lake/gold/reward_scores`) hold one row per scrubbed answer, kept or not by the
pretraining chain: reward, preference and critique data need them all.

Every text is encoded once per encoder version: `embed_partition` stores the MiniLM vectors of a
partition's distinct texts in `lake/silver/text_embeddings` (`lakehouse.reward.embedding_store`),
running the model only on texts that neither this partition's previous version nor the
institution's earlier nights in the window already hold; training reads the window's stored
vectors and scoring tonight's, so a night costs in proportion to its new texts, not its history.

Entry points (the shape of `lakehouse.stages`): `reward_model_partition` (store tonight's vectors,
choose the model) and `reward_partition` (score with the `scorer` adapter, write, measure against
tonight's grades). The default scorer runs in process; the asset injects the Ray job's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import polars as pl

from lakehouse.atomic import write_text_atomic
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import load_institution_config
from lakehouse.lake import partition_transaction, read_partition
from lakehouse.model_lineage import record_trained_on
from lakehouse.reward import (
    REWARD_SCORES_SCHEMA,
    DevicePreference,
    EncoderConfig,
    GradePredictorConfig,
    train_grade_predictor,
)
from lakehouse.reward.config import GRADE_PREDICTOR_KIND, METADATA_FILE
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.grade_predictor import is_current_layout
from lakehouse.reward.report import NightAgreement, night_agreement
from lakehouse.reward.scoring import score_in_process
from lakehouse.reward.similarity import ReferenceSimilarity
from lakehouse.reward.window import (
    EmbeddedPartition,
    embed_partition,
    remember_window,
    window_files,
)
from lakehouse.tables import EMBEDDINGS_TABLE, REWARD_TABLE, SCRUBBED_TABLE

CHOSEN_FILE: Final = "CHOSEN"
"""Names the version chosen for a night, so re-runs reuse it instead of choosing again."""

Scope = Literal["configured", "institution", "pooled", "cold_start"]


@dataclass(frozen=True)
class RewardModelChoice:
    path: Path
    version: str
    scope: Scope
    metadata: dict[str, Any]
    reused: bool
    institutions: tuple[str, ...] = ()
    """The institutions whose graded answers trained the model (empty: none did)."""

    @property
    def holdout(self) -> dict[str, Any] | None:
        metrics = self.metadata.get("metrics") or {}
        return metrics.get("holdout")

    @property
    def per_course(self) -> dict[str, Any]:
        return (self.metadata.get("metrics") or {}).get("per_course") or {}

    def split(self, questions: str) -> dict[str, Any]:
        """Held-out agreement on answers to questions graded in training (`"seen"`) or not."""
        return (self.metadata.get("metrics") or {}).get(f"holdout_{questions}_questions") or {}


def model_root(home: LakehouseHome, ref: PartitionRef) -> Path:
    return home.model_dir(ref, "reward")


def pool_institutions(home: LakehouseHome) -> tuple[str, ...]:
    """The institutions with scrubbed answers that opted in to the pooled reward model."""
    table = home.table_dir("silver", SCRUBBED_TABLE)
    found = sorted(p.name.removeprefix("institution=") for p in table.glob("institution=*"))
    return tuple(i for i in found if load_institution_config(home, i).pooled_reward_model)


def _history(
    home: LakehouseHome, ref: PartitionRef, *, nights: int, institutions: tuple[str, ...]
) -> pl.DataFrame:
    """Scrubbed answers of `institutions` in the `nights` calendar nights before `ref.night`:
    bounded, so training cost does not grow with history."""
    files = window_files(home, ref, table=SCRUBBED_TABLE, nights=nights, institutions=institutions)
    if not files:
        return pl.DataFrame()
    return pl.read_parquet(files)


def _graded(frame: pl.DataFrame, *, cap: int) -> pl.DataFrame:
    """The graded rows, at most `cap` of them: a sample fixed by a hash of the submission id, so
    the same history always gives the same model and training cost stays bounded however long
    the window (encoding is the cost: ~50 answers/s per CPU core, far more on a GPU)."""
    if frame.is_empty():
        return frame
    graded = frame.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0))
    if graded.height <= cap:
        return graded
    return (
        graded.with_columns(pl.col("submission_id").hash(seed=7).alias("_order"))
        .sort("_order", "institution_id", "submission_id")
        .head(cap)
        .drop("_order")
        .sort("night", "institution_id", "submission_id")
    )


def _record_choice(
    root: Path, *, version: str, scope: Scope, institutions: tuple[str, ...]
) -> None:
    record = {"version": version, "scope": scope, "institutions": list(institutions)}
    write_text_atomic(root / CHOSEN_FILE, json.dumps(record) + "\n", mode=0o644)


def _load_choice(root: Path) -> RewardModelChoice | None:
    chosen = root / CHOSEN_FILE
    if not chosen.is_file():
        return None
    record = json.loads(chosen.read_text())
    path = root / record["version"]
    if not (path / METADATA_FILE).is_file():
        return None
    metadata = json.loads((path / METADATA_FILE).read_text())
    if metadata.get("kind") == GRADE_PREDICTOR_KIND and not is_current_layout(metadata):
        return None  # trained on a feature or head layout this version cannot use: choose again
    return RewardModelChoice(
        path=path,
        version=record["version"],
        scope=record["scope"],
        metadata=metadata,
        reused=True,
        institutions=tuple(record.get("institutions") or ()),
    )


def choose_reward_model(
    *,
    home: LakehouseHome,
    ref: PartitionRef,
    history_nights: int = 28,
    max_training_rows: int = 5000,
    configured_path: Path | None = None,
    config: GradePredictorConfig | None = None,
    encoder_config: EncoderConfig | None = None,
    encoder: TextEncoder | None = None,
) -> RewardModelChoice:
    """The model that scores `ref`: reused when already chosen for this night, else trained (or
    picked) as the module docstring says. Trains on nights strictly before `ref.night` only, on at
    most `max_training_rows` graded answers of them, with the vectors stored for those nights
    (`embed_partition`); texts without a stored vector are encoded."""
    if configured_path is not None:
        path = Path(configured_path)
        meta_file = path / METADATA_FILE
        metadata = json.loads(meta_file.read_text()) if meta_file.is_file() else {"kind": "hf"}
        version = str(metadata.get("version") or f"hf-{path.name}")
        return RewardModelChoice(
            path=path, version=version, scope="configured", metadata=metadata, reused=False
        )
    root = home.model_dir(ref, "reward")
    reused = _load_choice(root)
    if reused is not None:
        return reused
    config = config or GradePredictorConfig()
    root.mkdir(parents=True, exist_ok=True)
    encoder = encoder or TextEncoder(config=encoder_config, device="auto")
    scope: Scope
    candidates: list[tuple[Scope, tuple[str, ...]]] = [("institution", (ref.institution_id,))]
    if load_institution_config(home, ref.institution_id).pooled_reward_model:
        candidates.append(("pooled", pool_institutions(home)))
    for scope, institutions in candidates:
        history = _graded(
            _history(home, ref, nights=history_nights, institutions=institutions),
            cap=max_training_rows,
        )
        if history.height >= config.min_training_rows:
            remember_window(encoder, home, ref, nights=history_nights, institutions=institutions)
            model = train_grade_predictor(
                frame=history,
                cutoff_night=ref.night,
                output_root=root,
                config=config,
                encoder=encoder,
            )
            assert model.path is not None
            trained_on = tuple(sorted(history.get_column("institution_id").unique().to_list()))
            # erasure and withdrawal retire the night's model if it learnt from the student
            record_trained_on(root, history)
            _record_choice(root, version=model.version, scope=scope, institutions=trained_on)
            return RewardModelChoice(
                path=model.path,
                version=model.version,
                scope=scope,
                metadata=model.metadata,
                reused=False,
                institutions=trained_on,
            )
    cold = ReferenceSimilarity(encoder=encoder)
    path = cold.save(root)
    scope = "cold_start"
    _record_choice(root, version=cold.version, scope=scope, institutions=())
    return RewardModelChoice(
        path=path, version=cold.version, scope=scope, metadata=cold.metadata, reused=False
    )


def write_reward_scores(home: LakehouseHome, ref: PartitionRef, scores: pl.DataFrame) -> Path:
    """Publish one partition's scores atomically (replacing a previous run's)."""
    frame = scores.select(list(REWARD_SCORES_SCHEMA)).cast(pl.Schema(REWARD_SCORES_SCHEMA))
    with partition_transaction(home, ref, [("gold", REWARD_TABLE)]) as staged:
        staged[REWARD_TABLE].write(frame)
    return home.partition_dir("gold", REWARD_TABLE, ref)


@dataclass(frozen=True, slots=True)
class RewardSettings:
    """The deployment's reward settings (`LakehouseResource`), one typed value for both steps."""

    history_nights: int = 28
    max_training_rows: int = 5000
    configured_path: Path | None = None
    device: DevicePreference = "auto"


def _choose(
    home: LakehouseHome,
    ref: PartitionRef,
    settings: RewardSettings,
    encoder: TextEncoder | None = None,
) -> RewardModelChoice:
    return choose_reward_model(
        home=home,
        ref=ref,
        history_nights=settings.history_nights,
        max_training_rows=settings.max_training_rows,
        configured_path=settings.configured_path,
        encoder=encoder,
    )


@dataclass(frozen=True)
class RewardModelResult:
    """What `reward_model_partition` did: the night's model, the texts stored and encoded."""

    choice: RewardModelChoice
    embedded: EmbeddedPartition | None
    encoded_for_training: int


def reward_model_partition(
    *, home: LakehouseHome, ref: PartitionRef, settings: RewardSettings
) -> RewardModelResult:
    """Store tonight's text vectors (unless a configured model scores every night) and choose
    (train, or reuse) the night's model."""
    embedded, encoder = None, None
    if settings.configured_path is None:
        encoder = TextEncoder(device=settings.device)
        embedded = embed_partition(
            home=home, ref=ref, encoder=encoder, history_nights=settings.history_nights
        )
    choice = _choose(home, ref, settings, encoder)
    trained = encoder.texts_encoded - embedded.encoded if encoder and embedded else 0
    return RewardModelResult(choice=choice, embedded=embedded, encoded_for_training=trained)


class ScoreOutcome(Protocol):
    """What a scorer returns (`ray_jobs.score.ScoreJobResult` is one)."""

    @property
    def scores(self) -> pl.DataFrame: ...
    @property
    def mode(self) -> str: ...
    @property
    def actors(self) -> int: ...
    @property
    def device(self) -> str: ...
    @property
    def model_version(self) -> str: ...
    @property
    def seconds(self) -> float: ...


Scorer = Callable[..., ScoreOutcome]
"""`scorer(inputs=[partition folders], embeddings=[folders], model_path=...)`."""


@dataclass(frozen=True)
class RewardStageResult:
    """The night's scores, how they were computed and how they agree with tonight's grades."""

    choice: RewardModelChoice
    job: ScoreOutcome
    path: Path
    scrubbed_rows: int
    tonight: NightAgreement = field(repr=False)


def reward_partition(
    *,
    home: LakehouseHome,
    ref: PartitionRef,
    settings: RewardSettings,
    scorer: Scorer = score_in_process,
) -> RewardStageResult:
    """Score every scrubbed answer of `ref` with the night's model (chosen by
    `reward_model_partition`, reused here), publish `reward_scores`, measure against tonight's
    human grades."""
    choice = _choose(home, ref, settings)
    source = home.partition_dir("silver", SCRUBBED_TABLE, ref)
    stored = home.partition_dir("silver", EMBEDDINGS_TABLE, ref)
    job = scorer(
        inputs=[source],
        embeddings=[stored] if any(stored.glob("*.parquet")) else [],
        model_path=choice.path,
    )
    path = write_reward_scores(home, ref, job.scores)
    scrubbed = read_partition(home, "silver", SCRUBBED_TABLE, ref)
    return RewardStageResult(
        choice=choice,
        job=job,
        path=path,
        scrubbed_rows=scrubbed.height,
        tonight=night_agreement(scrubbed, job.scores),
    )
