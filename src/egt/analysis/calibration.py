"""Is the reward model's preference probability calibrated? Reliability bins and the expected
calibration error (ECE), beside the ideal observer's on the same pairs (toy world only)."""

from __future__ import annotations

import numpy as np


def reliability(probabilities, outcomes, bins: int = 10) -> tuple[float | None, list[dict]]:
    """(ECE, bins): equal-width bins of the predicted probability over [0, 1]; each bin's count, mean
    prediction and observed frequency; ECE = sum over bins of (count / total) * |mean - frequency|."""
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    if p.size == 0:
        return None, []
    index = np.minimum((p * bins).astype(int), bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        chosen = index == b
        n = int(chosen.sum())
        row = {"low": b / bins, "high": (b + 1) / bins, "n": n, "mean_probability": None, "frequency": None}
        if n:
            row["mean_probability"], row["frequency"] = float(p[chosen].mean()), float(y[chosen].mean())
            ece += n / p.size * abs(row["mean_probability"] - row["frequency"])
        table.append(row)
    return float(ece), table


def calibration_report(probabilities, ideal, outcomes, bins: int = 10) -> dict:
    """The model's reliability (pairs with a probability) beside the ideal observer's (all pairs).

    ``probabilities``: the model's P(response 1 is right), None where neither order named an answer;
    ``ideal``: the ideal observer's; ``outcomes``: whether response 1 is right."""
    have = [i for i, p in enumerate(probabilities) if p is not None]
    model_ece, model_bins = reliability([probabilities[i] for i in have], [outcomes[i] for i in have], bins)
    ideal_ece, ideal_bins = reliability(ideal, outcomes, bins)
    return {
        "pairs": len(outcomes),
        "with_probability": len(have),
        "model": {"ece": model_ece, "bins": model_bins},
        "ideal_observer": {"ece": ideal_ece, "bins": ideal_bins},
    }
