"""How well predicted scores agree with human grades: Spearman, MAE, per course, calibration."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import spearmanr


def spearman(predicted: np.ndarray, human: np.ndarray) -> float | None:
    """Spearman's rank correlation; `None` where it is undefined (fewer than 3 rows, or either
    side constant)."""
    if predicted.size < 3 or np.ptp(predicted) == 0 or np.ptp(human) == 0:
        return None
    value = float(spearmanr(predicted, human).statistic)
    return None if math.isnan(value) else value


def agreement(predicted: np.ndarray, human: np.ndarray) -> dict[str, Any]:
    """{"rows", "spearman", "mae"} on the normalised grade scale [0, 1]."""
    return {
        "rows": int(predicted.size),
        "spearman": spearman(predicted, human),
        "mae": float(np.mean(np.abs(predicted - human))) if predicted.size else None,
    }


def agreement_by_course(
    *, predicted: np.ndarray, human: np.ndarray, courses: np.ndarray
) -> dict[str, dict[str, Any]]:
    """`agreement` per course id, sorted by course id."""
    return {
        str(course): agreement(predicted[courses == course], human[courses == course])
        for course in np.unique(courses)
    }


def calibration_table(
    *, predicted: np.ndarray, human: np.ndarray, bins: int
) -> list[dict[str, Any]]:
    """Equal-width bins of predicted score with the mean predicted and mean human grade in each:
    the data behind a predicted-vs-human calibration plot. Empty bins are left out."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(predicted, edges[1:-1]), 0, bins - 1)
    table = (
        pl.DataFrame({"bin": index, "predicted": predicted, "human": human})
        .group_by("bin")
        .agg(
            pl.len().alias("rows"),
            pl.col("predicted").mean().alias("mean_predicted"),
            pl.col("human").mean().alias("mean_human"),
        )
        .sort("bin")
    )
    return [
        {
            "low": float(edges[row["bin"]]),
            "high": float(edges[row["bin"] + 1]),
            "rows": int(row["rows"]),
            "mean_predicted": float(row["mean_predicted"]),
            "mean_human": float(row["mean_human"]),
        }
        for row in table.iter_rows(named=True)
    ]
