"""The curated stage, `curated_documents`: Yi's filter chain over one partition of scrubbed answers.

Models (per-language perplexity, document quality) are trained by the pipeline on the
institution's own scrubbed answers of the `history_nights` nights before the one being curated,
and kept under `models/<institution>/filters/before=<night>/`: a night is never judged by a model
that saw it, a re-run of an old night reuses the exact models it had, and training costs a bounded
window, not all of history. The dedup index (`index/dedup/`) is shared by every institution and
night; a night is recorded only after its outputs are published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.atomic import atomic_dir
from lakehouse.consent import load_consent
from lakehouse.contract import ConsentStatus
from lakehouse.erasure import audit_erasures, load_erasure_requests
from lakehouse.filters import DedupIndex, build_default_chain, copy_clusters, index_entries
from lakehouse.filters import train_models as train_filter_models
from lakehouse.filters.defaults import chain_config_for
from lakehouse.home import LakehouseHome, PartitionRef
from lakehouse.institution_config import load_institution_config
from lakehouse.lake import partition_transaction, read_partition
from lakehouse.markdown import Markdown, markdown_table
from lakehouse.model_lineage import record_trained_on, retire_models_trained_on
from lakehouse.pseudonym import pseudonymise_series
from lakehouse.rights import copy_detection_exclusions
from lakehouse.stages.ledger import counts_frame, counts_table
from lakehouse.tables import CLUSTERS_TABLE, CURATED_TABLE, FUNNEL_TABLE, SCRUBBED_TABLE

STAGE: Final = "curate"
TRAINED_FILE: Final = "TRAINED.json"
_INDEX_ONLY: Final = ("minhash_dedup_band_keys", "paragraph_dedup_hashes")
_FUNNEL_HEADERS: Final = ("step", "docs in", "dropped", "docs out", "tokens out")


@dataclass(frozen=True)
class CurateResult:
    documents: int
    kept: int
    dropped_by_step: dict[str, int]
    tokens_kept: int
    funnel: pl.DataFrame
    copy_clusters: int
    languages: dict[str, int]
    model_dir: Path | None

    def metadata(self) -> dict[str, object]:
        """What the asset records of the run (counts, the funnel, the models used)."""
        funnel = self.funnel.select("step", "docs_in", "dropped", "docs_out", "tokens_out")
        return {
            "dagster/row_count": self.documents,
            "kept": self.kept,
            "kept_fraction": round(self.kept / self.documents, 4) if self.documents else 0.0,
            "tokens_kept": self.tokens_kept,
            "dropped_by_step": self.dropped_by_step,
            "funnel": Markdown(markdown_table(funnel, headers=_FUNNEL_HEADERS)),
            "languages": {str(k): v for k, v in self.languages.items()},
            "copy_clusters": self.copy_clusters,
            "filter_models": {
                "folder": str(self.model_dir) if self.model_dir else None,
                "trained": trained_models(self.model_dir),
                "note": "perplexity and quality pass documents unjudged without a model "
                "(no earlier night, or too few graded answers per language)",
            },
        }


def _history(home: LakehouseHome, ref: PartitionRef, nights: int) -> pl.DataFrame | None:
    table = home.table_dir("silver", SCRUBBED_TABLE) / f"institution={ref.institution_id}"
    folders = sorted(
        d
        for d in table.glob("night=*")
        if date.fromisoformat(d.name.removeprefix("night=")) < ref.night
    )[-nights:]
    files = [f for d in folders for f in sorted(d.glob("*.parquet"))]
    return pl.read_parquet(files) if files else None


def filter_models(home: LakehouseHome, ref: PartitionRef, *, history_nights: int) -> Path | None:
    """The model folder for this night, trained on the nights before it if not already there."""
    folder = home.model_dir(ref, "filters")
    if folder.is_dir():
        return folder
    history = _history(home, ref, history_nights)
    if history is None or history.is_empty():
        return None
    # a killed run's half-written staging folder is cleaned up by `atomic_dir` before it starts
    with atomic_dir(folder, replace=False) as staging:
        trained = train_filter_models(frame=history, model_dir=staging)
        # the folder exists even when there was nothing to learn from (no grades, too few
        # answers per language), so a re-run of this night makes the same decision without
        # retraining
        (staging / TRAINED_FILE).write_text(
            json.dumps(
                {
                    "history_rows": history.height,
                    "models": {
                        name: None if path is None else str(path.relative_to(staging))
                        for name, path in sorted(trained.items())
                    },
                },
                indent=1,
            )
        )
        record_trained_on(staging, history)
    return folder


def trained_models(folder: Path | None) -> list[str]:
    """The models a night's filter-model folder holds (`perplexity/<lang>`, `quality`); empty
    when none: their steps pass documents unjudged."""
    if folder is None or not (folder / TRAINED_FILE).exists():
        return []
    models = json.loads((folder / TRAINED_FILE).read_text())["models"]
    return sorted(name for name, path in models.items() if path is not None)


def erase_from_index(home: LakehouseHome, institution_id: str, key: bytes) -> int:
    """Remove the institution's erased students from the dedup index, retire every model (filter
    and reward models, pooled ones of other institutions included) trained on them or on
    students who withdrew consent, and record each erasure request, by pseudonym, in the audit
    log (all idempotent)."""
    requests = load_erasure_requests(home.erasure_dir(institution_id))
    withdrawn = load_consent(home.consent_csv(institution_id)).filter(
        pl.col("status") == str(ConsentStatus.WITHDRAWN)
    )
    forget = pl.concat([requests.get_column("student_id"), withdrawn.get_column("student_id")])
    retire_models_trained_on(
        home, pseudonymise_series(forget, institution_id=institution_id, key=key).to_list()
    )
    if requests.is_empty():
        return 0
    pseudonyms = pseudonymise_series(
        requests.get_column("student_id"), institution_id=institution_id, key=key
    )
    audit_erasures(home, institution_id, pseudonyms=pseudonyms, requests=requests)
    if not home.dedup_index.is_dir():
        return 0
    return DedupIndex(home.dedup_index).erase(student_pseudonyms=pseudonyms.to_list())


def curated_partition(
    *, home: LakehouseHome, ref: PartitionRef, key: bytes, history_nights: int = 7
) -> tuple[CurateResult, pl.DataFrame]:
    """Run the chain over one partition; publish documents, funnel, copy clusters and counts."""
    scrubbed = read_partition(home, "silver", SCRUBBED_TABLE, ref)
    erase_from_index(home, ref.institution_id, key)
    models = filter_models(home, ref, history_nights=history_nights)
    index = DedupIndex(home.dedup_index)
    settings = load_institution_config(home, ref.institution_id)
    chain = build_default_chain(
        model_dir=models, index_dir=index.folder, config=chain_config_for(settings)
    )
    result = chain.run(scrubbed)
    documents = result.documents
    clusters = copy_clusters(
        documents=documents,
        index=index,
        exclude_students=copy_detection_exclusions(home, ref.institution_id, key=key),
    )
    funnel = result.funnel.with_columns(
        pl.lit(ref.institution_id).alias("institution_id"), pl.lit(ref.night).alias("night")
    )
    dropped = documents.filter(~pl.col("kept")).group_by("drop_reason").len().sort("drop_reason")
    dropped_by_step = dict(zip(dropped["drop_reason"], dropped["len"], strict=True))
    tables = [
        ("silver", CURATED_TABLE),
        ("gold", FUNNEL_TABLE),
        ("gold", CLUSTERS_TABLE),
        ("gold", counts_table(STAGE)),
    ]
    curated = documents.drop(_INDEX_ONLY, strict=False)
    with partition_transaction(home, ref, tables) as staged:  # type: ignore[arg-type]
        staged[CURATED_TABLE].write(curated)
        staged[FUNNEL_TABLE].write(funnel)
        staged[CLUSTERS_TABLE].write(clusters)
        staged[counts_table(STAGE)].write(
            counts_frame(
                ref,
                stage=STAGE,
                totals={
                    "kept": int(documents["kept"].sum()),
                    "dropped": sum(dropped_by_step.values()),
                },
                by_reason={"dropped": dropped_by_step},
            )
        )
    index.record(entries=index_entries(documents))
    languages = documents.group_by("language_detected").len().sort("language_detected")
    return (
        CurateResult(
            documents=documents.height,
            kept=int(documents["kept"].sum()),
            dropped_by_step=dropped_by_step,
            tokens_kept=int(funnel["tokens_out"][-1]) if funnel.height else 0,
            funnel=funnel,
            copy_clusters=clusters.height,
            languages=dict(
                zip(languages["language_detected"].cast(pl.String), languages["len"], strict=True)
            ),
            model_dir=models,
        ),
        curated,
    )
