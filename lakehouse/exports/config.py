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
    preference_min_margin:
        A pair needs `chosen - rejected` of at least this, on grades normalised to [0, 1]
        (so ties are never pairs).
    preference_max_pairs_per_answer:
        No answer appears (as chosen or rejected) in more than this many pairs.
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
    preference_min_margin: float = 0.2
    preference_max_pairs_per_answer: int = 2
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
        if isinstance(self.shard_max_rows, bool) or self.shard_max_rows < 1:
            raise ValueError("shard_max_rows must be an integer >= 1")
        if isinstance(self.shard_max_bytes, bool) or self.shard_max_bytes < 1:
            raise ValueError("shard_max_bytes must be an integer >= 1")
        if not self.pretrain_source.strip():
            raise ValueError("pretrain_source must not be blank")

    def fingerprint(self) -> str:
        """A canonical JSON text of every setting (what the release id hashes)."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=True)
