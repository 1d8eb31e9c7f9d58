"""Rank statistics and summaries used by the entropy analysis and the ablation."""

from __future__ import annotations

import math

import numpy as np


def ranks(values) -> np.ndarray:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    _, inverse, counts = np.unique(np.asarray(values, dtype=np.float64), return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + ends + 1) / 2.0)[inverse]


def spearman_rho(x, y) -> float | None:
    """Spearman rank correlation (average ranks for ties); None when either side is constant or empty."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2:
        return None
    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def auroc(scores, positives) -> float | None:
    """Area under the ROC curve of ``scores`` for flagging ``positives`` (Mann-Whitney U; ties = 1/2)."""
    scores, positives = np.asarray(scores, dtype=np.float64), np.asarray(positives, dtype=bool)
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    rank_sum = ranks(scores)[positives].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _bootstrap_interval(statistic, n: int, resamples: int, seed: int) -> list[float] | None:
    """Percentile 95% interval of ``statistic(index)`` over ``resamples`` draws of ``n`` item indices with
    replacement (draws where the statistic is undefined are left out)."""
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        value = statistic(rng.integers(0, n, n))
        if value is not None:
            draws.append(value)
    return np.percentile(draws, [2.5, 97.5]).tolist() if draws else None


def bootstrap_auroc(scores, positives, resamples: int, seed: int) -> list[float] | None:
    """Percentile bootstrap 95% interval of :func:`auroc` (items resampled with replacement)."""
    scores, positives = np.asarray(scores, dtype=np.float64), np.asarray(positives, dtype=bool)
    return _bootstrap_interval(lambda index: auroc(scores[index], positives[index]), len(scores), resamples, seed)


def bootstrap_spearman(x, y, resamples: int, seed: int) -> dict:
    """Spearman rho with a percentile bootstrap 95% interval (pairs resampled with replacement)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    interval = _bootstrap_interval(lambda index: spearman_rho(x[index], y[index]), len(x), resamples, seed)
    return {"rho": spearman_rho(x, y), "ci95": interval or [None, None], "resamples": resamples}


def mean_std(values: list[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (None for fewer than two values)."""
    if not values:
        return None, None
    std = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return float(np.mean(values)), std


def difference_vs(arm: dict, reference: dict) -> dict:
    """Difference of seed means and whether it exceeds the seed spread.

    The spread of a difference between one run of each arm is sqrt(std_arm^2 + std_ref^2);
    "exceeds" means |difference| is larger than that (undefined with fewer than 2 seeds).
    """
    if arm["mean"] is None or reference["mean"] is None:
        return {"difference": None, "spread": None, "exceeds_spread": None}
    difference = arm["mean"] - reference["mean"]
    if arm["std"] is None or reference["std"] is None:
        return {"difference": difference, "spread": None, "exceeds_spread": None}
    spread = math.hypot(arm["std"], reference["std"])
    return {"difference": difference, "spread": spread, "exceeds_spread": bool(abs(difference) > spread)}
