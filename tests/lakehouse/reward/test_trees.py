"""The unseen-question head's boosted trees: sklearn's predictions from plain arrays, no pickle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import GradientBoostingRegressor

from lakehouse.reward import GradePredictor
from lakehouse.reward.config import METADATA_FILE
from lakehouse.reward.trees import TreeEnsemble


def _data(rows: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(rows, 6)).astype(np.float32)
    y = np.clip(0.5 + 0.3 * np.tanh(x[:, 0] * x[:, 1]) + 0.1 * x[:, 2], 0, 1)
    return x, y


def test_trees_predict_what_sklearn_predicts_and_survive_a_round_trip(tmp_path: Path) -> None:
    x, y = _data()
    trees = TreeEnsemble.fit(x, y)
    reference = GradientBoostingRegressor(
        n_estimators=150, max_depth=3, min_samples_leaf=20, learning_rate=0.05, random_state=0
    ).fit(x, y)
    np.testing.assert_allclose(trees.predict(x), reference.predict(x), atol=1e-12)
    trees.save(tmp_path / "trees.npz")
    loaded = TreeEnsemble.load(tmp_path / "trees.npz")  # allow_pickle=False inside
    assert np.array_equal(loaded.predict(x), trees.predict(x))
    assert loaded.digest() == trees.digest() == TreeEnsemble.fit(x, y).digest()


def test_a_model_saved_without_the_trees_head_is_refused(
    trained: GradePredictor, tmp_path: Path
) -> None:
    """A model of the ridge-only layout (before the trees) is trained again, not loaded."""
    assert trained.path is not None
    old = shutil.copytree(trained.path, tmp_path / "old")
    meta = json.loads((old / METADATA_FILE).read_text())
    del meta["head"]["layout"]
    (old / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="train it again"):
        GradePredictor.load(old, encoder=trained.encoder)
