"""The default chain for one institution, in Yi's order, and the training of its models."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import polars as pl

from lakehouse.filters.chain import Chain
from lakehouse.filters.correction import CorrectionParams, CorrectionStep
from lakehouse.filters.dedup import (
    ExactDedupStep,
    MinHashDedupStep,
    MinHashParams,
    ParagraphDedupParams,
    ParagraphDedupStep,
)
from lakehouse.filters.dedup_index import DedupIndex
from lakehouse.filters.doc_quality import (
    QualityParams,
    QualityStep,
    load_quality_model,
    train_quality_model,
)
from lakehouse.filters.language import LanguageParams, LanguageStep
from lakehouse.filters.non_answer import NonAnswerParams, NonAnswerStep
from lakehouse.filters.perplexity import (
    PerplexityParams,
    PerplexityStep,
    load_perplexity_models,
    train_perplexity_models,
)
from lakehouse.filters.repetition import RepetitionParams, RepetitionStep
from lakehouse.filters.safety import SafetyParams, SafetyStep
from lakehouse.filters.text_metrics import TextMetricParams, TextMetricsStep
from lakehouse.filters.topic import TopicParams, TopicStep
from lakehouse.institution_config import InstitutionConfig


@dataclass(frozen=True)
class ChainConfig:
    """Per-institution parameters of every step (defaults documented on each Params class)."""

    non_answer: NonAnswerParams = field(default_factory=NonAnswerParams)
    language: LanguageParams = field(default_factory=LanguageParams)
    text_metrics: TextMetricParams = field(default_factory=TextMetricParams)
    repetition: RepetitionParams = field(default_factory=RepetitionParams)
    correction: CorrectionParams = field(default_factory=CorrectionParams)
    perplexity: PerplexityParams = field(default_factory=PerplexityParams)
    quality: QualityParams = field(default_factory=QualityParams)
    paragraph_dedup: ParagraphDedupParams = field(default_factory=ParagraphDedupParams)
    minhash: MinHashParams = field(default_factory=MinHashParams)
    safety: SafetyParams = field(default_factory=SafetyParams)
    topic: TopicParams = field(default_factory=TopicParams)


def chain_config_for(settings: InstitutionConfig) -> ChainConfig:
    """The chain settings an institution's `config/institutions/<inst>.yaml` asks for (its own
    non-answer phrases and the phrases that are real answers in its courses)."""
    return ChainConfig(
        non_answer=NonAnswerParams.for_institution(
            extra_phrases=settings.non_answer_phrases,
            allowed_phrases=settings.non_answer_allowed_phrases,
        )
    )


STEP_ORDER: Final[tuple[str, ...]] = (
    "non_answer",
    "language",
    "text_metrics",
    "repetition",
    "correction",
    "perplexity",
    "quality",
    "paragraph_dedup",
    "minhash_dedup",
    "exact_dedup",
    "safety",
    "topic",
)
"""The default chain's step names in order: what funnels, exports and reports sort drop reasons
by (`build_default_chain` builds its steps in this order; a test holds the two together)."""


def build_default_chain(
    *, model_dir: Path | None, index_dir: Path | None, config: ChainConfig | None = None
) -> Chain:
    """Yi's chain after one homework step: non_answer -> language -> text_metrics -> repetition
    -> correction -> perplexity -> quality -> paragraph_dedup -> minhash_dedup -> exact_dedup -> safety -> topic.

    Non-answers ("No response.", "N/A", "पता नहीं", a restated question) go first: they are
    not documents at all, and dropping them by name keeps every later funnel row about real
    answers (otherwise "No response." would count as a text-metric or language drop).

    `model_dir`: the institution's model folder (`perplexity/<lang>/vNNNN/`, `quality/vNNNN/`, as
    written by `train_models`); None or empty: those steps pass every document, unjudged.
    `index_dir`: the dedup index folder shared by all institutions; None: dedup within the frame.
    """
    c = config or ChainConfig()
    index = None if index_dir is None else DedupIndex(index_dir)
    ppl_models = {} if model_dir is None else load_perplexity_models(model_dir=model_dir)
    quality_model = None if model_dir is None else load_quality_model(model_dir=model_dir)
    return Chain(
        steps=(
            NonAnswerStep(params=c.non_answer),
            LanguageStep(params=c.language),
            TextMetricsStep(params=c.text_metrics),
            RepetitionStep(params=c.repetition),
            CorrectionStep(params=c.correction),
            PerplexityStep(models=ppl_models, params=c.perplexity),
            QualityStep(model=quality_model, params=c.quality),
            ParagraphDedupStep(index=index, params=c.paragraph_dedup),
            MinHashDedupStep(index=index, params=c.minhash),
            ExactDedupStep(index=index),
            SafetyStep(params=c.safety),
            TopicStep(params=c.topic),
        )
    )


def train_models(
    *,
    frame: pl.DataFrame,
    model_dir: Path,
    reference_texts: dict[str, list[str]] | None = None,
    language: LanguageParams | None = None,
) -> dict[str, Path | None]:
    """Train the institution's perplexity models (per language) and quality classifier on its
    graded answers (scrubbed silver rows), each saved as a new version under `model_dir`.

    Returns {"perplexity/<lang>": folder, ..., "quality": folder or None}.
    """
    detected = LanguageStep(params=language or LanguageParams()).apply(frame)
    written: dict[str, Path | None] = {
        f"perplexity/{lang}": path
        for lang, path in train_perplexity_models(
            frame=detected, model_dir=model_dir, reference_texts=reference_texts
        ).items()
    }
    written["quality"] = train_quality_model(frame=frame, model_dir=model_dir)
    return written
