"""The reward layer of one partition: which model scores the night, and where its scores go.

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
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, Literal

import polars as pl

from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import load_institution_config
from lakehouse.lake import partition_transaction, read_partition, write_partition
from lakehouse.model_lineage import record_trained_on
from lakehouse.reward import (
    REWARD_SCORES_SCHEMA,
    EncoderConfig,
    GradePredictorConfig,
    train_grade_predictor,
)
from lakehouse.reward.config import GRADE_PREDICTOR_KIND, METADATA_FILE
from lakehouse.reward.embedding_store import distinct_texts, read_store, store_frame, text_keys
from lakehouse.reward.encoder import TextEncoder
from lakehouse.reward.grade_predictor import is_current_layout
from lakehouse.reward.metrics import agreement, agreement_by_course, calibration_table
from lakehouse.reward.similarity import ReferenceSimilarity

REWARD_TABLE: Final = "reward_scores"
EMBEDDINGS_TABLE: Final = "text_embeddings"
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


def model_root(home: LakehouseHome, ref: PartitionRef) -> Path:
    return home.root / "models" / ref.institution_id / "reward" / f"before={ref.night.isoformat()}"


def pool_institutions(home: LakehouseHome) -> tuple[str, ...]:
    """The institutions with scrubbed answers that opted in to the pooled reward model."""
    table = home.table_dir("silver", "scrubbed_submissions")
    found = sorted(p.name.removeprefix("institution=") for p in table.glob("institution=*"))
    return tuple(i for i in found if load_institution_config(home, i).pooled_reward_model)


def _window_files(
    home: LakehouseHome,
    ref: PartitionRef,
    *,
    table: str,
    nights: int,
    institutions: tuple[str, ...],
    tonight: bool = False,
) -> list[Path]:
    """The Parquet files of silver `table` for `institutions` in the `nights` calendar nights
    before `ref.night` (and of `ref.night` itself with `tonight`)."""
    first = ref.night - timedelta(days=nights)
    root = home.table_dir("silver", table)
    return sorted(
        f
        for institution in institutions
        for f in root.glob(f"institution={institution}/night=*/*.parquet")
        if first
        <= date.fromisoformat(f.parent.name.removeprefix("night="))
        <= (ref.night if tonight else ref.night - timedelta(days=1))
    )


def _remember_window(
    encoder: TextEncoder,
    home: LakehouseHome,
    ref: PartitionRef,
    *,
    nights: int,
    institutions: tuple[str, ...],
    tonight: bool = False,
) -> None:
    files = _window_files(
        home, ref, table=EMBEDDINGS_TABLE, nights=nights, institutions=institutions, tonight=tonight
    )
    encoder.remember(*read_store(files, encoder_fingerprint=encoder.fingerprint))


@dataclass(frozen=True)
class EmbeddedPartition:
    """What `embed_partition` stored: distinct texts, and how many of them the model encoded."""

    path: Path
    texts: int
    encoded: int


def embed_partition(
    *, home: LakehouseHome, ref: PartitionRef, encoder: TextEncoder, history_nights: int = 28
) -> EmbeddedPartition:
    """Store the vectors of the partition's distinct texts (`text_embeddings`), replacing its
    previous version atomically. Texts that this partition's previous version or the
    institution's nights of the window already hold are copied, the rest encoded; texts no longer
    in the partition (an erased student's answers) are not carried over."""
    _remember_window(
        encoder,
        home,
        ref,
        nights=history_nights,
        institutions=(ref.institution_id,),
        tonight=True,
    )
    scrubbed = read_partition(home, "silver", "scrubbed_submissions", ref)
    texts = distinct_texts(scrubbed)
    before = encoder.texts_encoded
    vectors = encoder.encode(texts)
    rows = store_frame(
        keys=text_keys(texts), vectors=vectors, encoder_fingerprint=encoder.fingerprint
    )
    path = write_partition(home, "silver", EMBEDDINGS_TABLE, ref, rows)
    return EmbeddedPartition(path=path, texts=len(texts), encoded=encoder.texts_encoded - before)


def _history(
    home: LakehouseHome, ref: PartitionRef, *, nights: int, institutions: tuple[str, ...]
) -> pl.DataFrame:
    """Scrubbed answers of `institutions` in the `nights` calendar nights before `ref.night`:
    bounded, so training cost does not grow with history."""
    files = _window_files(
        home, ref, table="scrubbed_submissions", nights=nights, institutions=institutions
    )
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
    staging = root / f".{CHOSEN_FILE}.tmp"
    record = {"version": version, "scope": scope, "institutions": list(institutions)}
    staging.write_text(json.dumps(record) + "\n")
    os.replace(staging, root / CHOSEN_FILE)


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
    root = model_root(home, ref)
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
            _remember_window(encoder, home, ref, nights=history_nights, institutions=institutions)
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


def calibration_markdown(rows: list[dict[str, Any]]) -> str:
    """A calibration table (`lakehouse.reward.metrics.calibration_table`) as Markdown with bars of
    the mean human grade per predicted-score bin: the Dagster UI renders it as the plot."""
    if not rows:
        return "No graded answers to calibrate against."
    lines = [
        "| predicted bin | answers | mean predicted | mean human grade | |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        bar = "█" * round(row["mean_human"] * 20)
        lines.append(
            f"| {row['low']:.1f}-{row['high']:.1f} | {row['rows']} | {row['mean_predicted']:.2f} "
            f"| {row['mean_human']:.2f} | {bar} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class NightAgreement:
    """How tonight's scores agree with tonight's human grades. The model never saw these grades,
    so every scored night is an out-of-sample evaluation."""

    overall: dict[str, Any]
    per_course: dict[str, dict[str, Any]]
    calibration: list[dict[str, Any]]


def night_agreement(
    scrubbed: pl.DataFrame, scores: pl.DataFrame, *, bins: int = 10
) -> NightAgreement:
    graded = (
        scrubbed.filter(pl.col("grade").is_not_null() & (pl.col("max_grade") > 0))
        .select(
            "submission_id",
            pl.col("course_id").cast(pl.String).fill_null(""),
            (pl.col("grade") / pl.col("max_grade")).clip(0.0, 1.0).alias("human"),
        )
        .join(scores.select("submission_id", "rm_score"), on="submission_id", how="inner")
        .sort("submission_id")
    )
    predicted = graded.get_column("rm_score").to_numpy()
    human = graded.get_column("human").to_numpy()
    return NightAgreement(
        overall=agreement(predicted, human),
        per_course=agreement_by_course(
            predicted=predicted, human=human, courses=graded.get_column("course_id").to_numpy()
        ),
        calibration=calibration_table(predicted=predicted, human=human, bins=bins)
        if graded.height
        else [],
    )


def per_course_markdown(courses: dict[str, dict[str, Any]]) -> str:
    if not courses:
        return "No graded answers: per-course agreement not measured."
    lines = ["| course | answers | Spearman | MAE |", "|---|---|---|---|"]
    for course, m in sorted(courses.items()):
        spearman = m.get("spearman")
        rho = f"{spearman:.3f}" if isinstance(spearman, float) else "n/a"
        lines.append(f"| {course} | {m.get('rows')} | {rho} | {float(m.get('mae') or 0):.3f} |")
    return "\n".join(lines)
