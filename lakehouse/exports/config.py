"""What an export release is built with: `ExportConfig` and the dataset names.

The config is part of a release's identity (`release.release_id`): two builds with different
settings never share a release folder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Final, Literal, get_args

Dataset = Literal["pretrain", "sft", "preference", "reward", "critique"]
DATASETS: Final[tuple[Dataset, ...]] = get_args(Dataset)

MiB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExportConfig:
    """Settings of one export release; every value is checked on construction.

    Attributes
    ----------
    datasets:
        Which datasets to build, in this order.
    pretrain_include_question:
        Pretraining text is `question_text`, `pretrain_separator`, `answer_text` when true, the
        answer alone when false.
    pretrain_separator:
        What joins question and answer in pretraining text.
    pretrain_source:
        The Dolma `source` field of every pretraining document.
    sft_min_grade_fraction:
        An answer is an SFT response when `grade / max_grade` is at least this.
    sft_min_response_chars, sft_min_response_words:
        Length floors of an SFT response (a well-graded "Duplex operation" is right, but teaches
        a model to answer in two words).
    sft_min_rm_score:
        When set, an SFT response also needs a reward-model score of at least this.
    preference_min_margin:
        A pair needs `chosen - rejected` of at least this, on grades normalised to [0, 1]
        (so ties are never pairs).
    preference_max_pairs_per_answer:
        No answer appears (as chosen or rejected) in more than this many pairs.
    preference_min_answers_per_question:
        A question yields pairs only when it has at least this many graded real attempts (with
        fewer, one grader's noise decides every pair).
    preference_max_non_answer_share:
        Pairs with a non-answer ("No response.", a restated question) on either side may be at
        most this share of the dataset; 0 (the default) excludes them: such a pair teaches only
        that something beats nothing.
    preference_prefer_same_grader:
        Pair answers graded by the same grader first, then fill each answer's remaining pairs
        across graders (two graders' scales differ; one grader's ranking is a cleaner signal).
    critique_min_feedback_words:
        Critique keeps feedback of at least this many words that says more than "the answer is
        empty", on answers that are real attempts.
    shard_max_rows:
        At most this many rows per shard.
    shard_max_bytes:
        A shard is closed once its text (UTF-8, before compression) would pass this; a shard
        holds at most this many bytes of text plus one row.
    """

    datasets: tuple[Dataset, ...] = DATASETS
    pretrain_include_question: bool = True
    pretrain_separator: str = "\n\n"
    pretrain_source: str = "homework"
    sft_min_grade_fraction: float = 0.8
    sft_min_response_chars: int = 25
    sft_min_response_words: int = 3
    sft_min_rm_score: float | None = None
    preference_min_margin: float = 0.2
    preference_max_pairs_per_answer: int = 2
    preference_min_answers_per_question: int = 4
    preference_max_non_answer_share: float = 0.0
    preference_prefer_same_grader: bool = True
    critique_min_feedback_words: int = 3
    shard_max_rows: int = 50_000
    shard_max_bytes: int = 256 * MiB

    def __post_init__(self) -> None:
        datasets = tuple(self.datasets)
        object.__setattr__(self, "datasets", datasets)
        unknown = [d for d in datasets if d not in DATASETS]
        if unknown or not datasets:
            raise ValueError(f"datasets must be a non-empty subset of {list(DATASETS)}")
        if len(set(datasets)) != len(datasets):
            raise ValueError("datasets must not repeat a dataset")
        if not 0.0 <= self.sft_min_grade_fraction <= 1.0:
            raise ValueError("sft_min_grade_fraction must lie in [0, 1]")
        if not 0.0 < self.preference_min_margin <= 1.0:
            raise ValueError("preference_min_margin must lie in (0, 1] (ties are never pairs)")
        if isinstance(self.preference_max_pairs_per_answer, bool) or (
            self.preference_max_pairs_per_answer < 1
        ):
            raise ValueError("preference_max_pairs_per_answer must be an integer >= 1")
        for name in (
            "sft_min_response_chars",
            "sft_min_response_words",
            "critique_min_feedback_words",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0")
        if self.sft_min_rm_score is not None and not 0.0 <= self.sft_min_rm_score <= 1.0:
            raise ValueError("sft_min_rm_score must lie in [0, 1] or be None")
        if isinstance(self.preference_min_answers_per_question, bool) or (
            self.preference_min_answers_per_question < 2
        ):
            raise ValueError("preference_min_answers_per_question must be an integer >= 2")
        if not 0.0 <= self.preference_max_non_answer_share <= 0.5:
            raise ValueError("preference_max_non_answer_share must lie in [0, 0.5]")
        if isinstance(self.shard_max_rows, bool) or self.shard_max_rows < 1:
            raise ValueError("shard_max_rows must be an integer >= 1")
        if isinstance(self.shard_max_bytes, bool) or self.shard_max_bytes < 1:
            raise ValueError("shard_max_bytes must be an integer >= 1")
        if not self.pretrain_source.strip():
            raise ValueError("pretrain_source must not be blank")

    def fingerprint(self) -> str:
        """A canonical JSON text of every setting (what the release id hashes)."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=True)
