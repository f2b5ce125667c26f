"""The exports (CONTRACT.md "Outputs"): pretrain, sft, preference, reward and critique datasets
built from the lake as versioned releases of deterministic Parquet shards with dataset cards.

`build_release(home, refs, config)` is the entry point; the per-dataset functions
(`pretrain_frame`, `sft_frame`, `preference_frame`, `reward_frame`, `critique_frame`) are pure
functions of frames.
"""

from lakehouse.exports.cards import CARD_NAME, render_card
from lakehouse.exports.config import DATASETS, Dataset, ExportConfig
from lakehouse.exports.contributions import (
    CONTRIBUTIONS_SCHEMA,
    CONTRIBUTIONS_TABLE,
    contributions_path,
)
from lakehouse.exports.datasets import (
    EXPORT_COLUMNS,
    TEXT_COLUMNS,
    AnswerPool,
    BuiltDataset,
    answer_pool,
    critique_frame,
    dataset_tokens,
    pretrain_frame,
    reward_frame,
    sft_frame,
)
from lakehouse.exports.inputs import ReleaseInputs, load_inputs, read_erased
from lakehouse.exports.preference import preference_frame
from lakehouse.exports.release import (
    DatasetRelease,
    ReleaseResult,
    build_datasets,
    build_release,
    latest_release,
    published_releases,
    release_dir,
    release_id,
)
from lakehouse.exports.summary import published_summary, summary_table

__all__ = [
    "CARD_NAME",
    "CONTRIBUTIONS_SCHEMA",
    "CONTRIBUTIONS_TABLE",
    "DATASETS",
    "EXPORT_COLUMNS",
    "TEXT_COLUMNS",
    "AnswerPool",
    "BuiltDataset",
    "Dataset",
    "DatasetRelease",
    "ExportConfig",
    "ReleaseInputs",
    "ReleaseResult",
    "answer_pool",
    "build_datasets",
    "build_release",
    "contributions_path",
    "critique_frame",
    "dataset_tokens",
    "latest_release",
    "load_inputs",
    "preference_frame",
    "pretrain_frame",
    "published_releases",
    "published_summary",
    "read_erased",
    "release_dir",
    "release_id",
    "render_card",
    "reward_frame",
    "sft_frame",
    "summary_table",
]
