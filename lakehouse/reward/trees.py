"""Gradient-boosted regression trees kept as plain arrays: the unseen-question head's second half.

The question-independent features relate an answer to its question and reference in ways a
linear head cannot combine (a high key-term recall means little for an empty answer, a long
answer helps only when it is on topic). Boosted trees learn those interactions; averaged with the
ridge head they lift leave-question-out Spearman on SAF from 0.586 to 0.616 (`benchmarks/reward.py
--unseen`). sklearn fits them (seeded, no subsampling: the same rows give the same trees); the
trees are then stored as arrays (`np.savez`, loaded without pickle, so nothing executes on load)
and evaluated here, on whole columns, one tree level at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_ARRAYS = ("feature", "threshold", "left", "right", "value", "roots")


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """`init + rate * sum(tree(x))`; the nodes of every tree in one set of arrays, `roots[t]`
    the index of tree t's root, `left == -1` at a leaf."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    init: float
    rate: float

    @classmethod
    def fit(
        cls,
        features: np.ndarray,
        target: np.ndarray,
        *,
        trees: int = 150,
        depth: int = 3,
        min_leaf: int = 20,
        rate: float = 0.05,
    ) -> TreeEnsemble:
        """Least-squares boosting (sklearn's GradientBoostingRegressor, random_state 0)."""
        from sklearn.ensemble import GradientBoostingRegressor

        model = GradientBoostingRegressor(
            n_estimators=trees,
            max_depth=depth,
            min_samples_leaf=min_leaf,
            learning_rate=rate,
            random_state=0,
        ).fit(features.astype(np.float32), target)
        parts: dict[str, list[np.ndarray]] = {name: [] for name in _ARRAYS}
        offset = 0
        for (estimator,) in model.estimators_:
            tree = estimator.tree_
            leaf = tree.children_left == -1
            parts["feature"].append(np.where(leaf, 0, tree.feature).astype(np.int32))
            parts["threshold"].append(tree.threshold.astype(np.float64))
            parts["left"].append(np.where(leaf, -1, tree.children_left + offset).astype(np.int32))
            parts["right"].append(np.where(leaf, -1, tree.children_right + offset).astype(np.int32))
            parts["value"].append(tree.value[:, 0, 0].astype(np.float64))
            parts["roots"].append(np.array([offset], dtype=np.int32))
            offset += tree.node_count
        arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
        init = float(np.asarray(model.init_.constant_).ravel()[0])
        return cls(**arrays, init=init, rate=rate)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """One prediction per row; thresholds compared in float32, as sklearn does."""
        x = features.astype(np.float32).astype(np.float64)
        rows = np.arange(x.shape[0])
        node = np.broadcast_to(self.roots, (x.shape[0], self.roots.size)).copy()
        while True:
            inner = self.left[node] >= 0
            if not inner.any():
                break
            goes_left = x[rows[:, None], self.feature[node]] <= self.threshold[node]
            step = np.where(goes_left, self.left[node], self.right[node])
            node = np.where(inner, step, node)
        return self.init + self.rate * self.value[node].sum(axis=1)

    def digest(self) -> str:
        h = hashlib.sha256()
        for name in _ARRAYS:
            h.update(np.ascontiguousarray(getattr(self, name)).tobytes())
        h.update(np.array([self.init, self.rate], dtype=np.float64).tobytes())
        return h.hexdigest()

    def save(self, path: Path) -> None:
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        np.savez(path, **arrays, scalars=np.array([self.init, self.rate], dtype=np.float64))

    @classmethod
    def load(cls, path: Path) -> TreeEnsemble:
        with np.load(path, allow_pickle=False) as data:
            init, rate = (float(v) for v in data["scalars"])
            return cls(**{name: data[name] for name in _ARRAYS}, init=init, rate=rate)
