"""The exports' run config (Dagster launchpad): the operator's view of `ExportConfig`."""

from dagster import Config
from pydantic import Field

from lakehouse.exports import ExportConfig

_DEFAULT = ExportConfig()


class ExportsRunConfig(Config):
    """The launchpad's view of `lakehouse.exports.ExportConfig`: the settings an operator may change,
    with their bounds; defaults and the conversion come from `ExportConfig` itself."""

    pretrain_include_question: bool = Field(
        default=_DEFAULT.pretrain_include_question,
        description="Prefix each pretraining document with its question.",
    )
    sft_min_grade_fraction: float = Field(
        default=_DEFAULT.sft_min_grade_fraction,
        ge=0.0,
        le=1.0,
        description="SFT keeps answers graded at least this.",
    )
    preference_min_margin: float = Field(
        default=_DEFAULT.preference_min_margin,
        gt=0.0,
        le=1.0,
        description="Least normalised grade gap of a pair.",
    )
    preference_max_pairs_per_answer: int = Field(
        default=_DEFAULT.preference_max_pairs_per_answer,
        ge=1,
        description="No answer is used in more preference pairs than this.",
    )
    sft_min_response_chars: int = Field(
        default=_DEFAULT.sft_min_response_chars,
        ge=0,
        description="SFT responses have at least this many characters.",
    )
    sft_min_response_words: int = Field(
        default=_DEFAULT.sft_min_response_words,
        ge=0,
        description="SFT responses have at least this many words.",
    )
    preference_min_answers_per_question: int = Field(
        default=_DEFAULT.preference_min_answers_per_question,
        ge=2,
        description="A question needs this many graded real attempts to pair.",
    )
    preference_max_non_answer_share: float = Field(
        default=_DEFAULT.preference_max_non_answer_share,
        ge=0.0,
        le=0.5,
        description="Share of pairs that may hold a non-answer ('No response.'); 0 excludes them.",
    )
    preference_prefer_same_grader: bool = Field(
        default=_DEFAULT.preference_prefer_same_grader,
        description="Pair answers graded by the same grader first.",
    )
    critique_min_feedback_words: int = Field(
        default=_DEFAULT.critique_min_feedback_words,
        ge=0,
        description="Critique feedback has at least this many words.",
    )
    shard_max_rows: int = Field(
        default=_DEFAULT.shard_max_rows, ge=1, description="Rows per Parquet shard."
    )

    def export_config(self) -> ExportConfig:
        return ExportConfig(**self.model_dump())
