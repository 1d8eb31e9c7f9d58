"""The toy world's injected label noise, measured against entropy: where it sits and what curation removes.

Every function takes the hidden truth (``pair_id``, ``is_noisy``) as a separate frame, so only
analysis code ever joins it to the pool.
"""

from __future__ import annotations

import polars as pl

from egt.analysis.stats import auroc, bootstrap_auroc
from egt.curation.pair_entropy import entropy_bins
from egt.curation.quantile import quantile_cut
from egt.curation.signals import SIGNALS


def noise_rate(pairs: pl.DataFrame, hidden: pl.DataFrame | None) -> float | None:
    """Share of ``pairs`` with injected label noise; None without hidden truth or pairs."""
    if hidden is None or pairs.height == 0:
        return None
    joined = pairs.select("pair_id").join(hidden.select("pair_id", "is_noisy"), on="pair_id", how="left")
    if joined["is_noisy"].null_count():
        raise ValueError(f"{joined['is_noisy'].null_count()} pairs have no hidden truth")
    return float(joined["is_noisy"].mean())


def bins_with_noise(bins: list[dict], pairs: pl.DataFrame, hidden: pl.DataFrame | None) -> list[dict]:
    """The entropy bins of ``pairs``, each with its share of injected-noise pairs (None without hidden truth)."""
    if hidden is None:
        return [{**b, "noise_rate": None} for b in bins]
    joined = pairs.join(hidden.select("pair_id", "is_noisy"), on="pair_id", how="left")
    noisy = entropy_bins(joined, len(bins), extra_means={"noise_rate": "is_noisy"})
    return [{**b, "noise_rate": rate} for b, rate in zip(bins, noisy["noise_rate"].to_list(), strict=True)]


def noise_detection(pairs: pl.DataFrame, hidden: pl.DataFrame, keep_quantile: float, by: str = "pair_entropy") -> dict:
    """How well dropping the pairs of highest curation signal ``by`` removes injected noise.

    Precision: the noisy share of the dropped pairs; recall: the share of all noisy pairs that
    were dropped.
    """
    cut = quantile_cut(pairs, keep_quantile, by)
    noisy_total = int(pairs.join(hidden, on="pair_id")["is_noisy"].sum())
    dropped_rate = noise_rate(cut.dropped, hidden)
    noisy_dropped = round(dropped_rate * cut.dropped.height) if dropped_rate is not None else 0
    return {
        "keep_quantile": keep_quantile,
        "pairs_kept": cut.kept.height,
        "pairs_dropped": cut.dropped.height,
        "noise_rate_before": noise_rate(pairs, hidden),
        "noise_rate_after": noise_rate(cut.kept, hidden),
        "precision_dropped": dropped_rate,
        "recall_dropped": noisy_dropped / noisy_total if noisy_total else None,
    }


def signal_aurocs(pairs: pl.DataFrame, hidden: pl.DataFrame, resamples: int = 0, seed: int = 0) -> list[dict]:
    """Each registered curation signal's AUROC for finding the injected noise, from the same rollouts,
    with a bootstrap 95% interval (``ci95``) when ``resamples`` > 0.

    A pair without a value ranks as the most suspect, as curation ranks it.
    """
    joined = pairs.join(hidden.select("pair_id", "is_noisy"), on="pair_id", how="inner")
    rows = []
    for name, signal in SIGNALS.items():
        if name not in joined.columns:
            continue
        scores = joined[name].cast(pl.Float64).fill_nan(None).fill_null(float("inf")).to_numpy()
        rows.append(
            {
                "signal": name,
                "label_aware": signal.label_aware,
                "auroc": auroc(scores, joined["is_noisy"].to_numpy()),
                "missing": int(joined[name].null_count()),
                "description": signal.description,
            }
        )
        if resamples:
            rows[-1]["ci95"] = bootstrap_auroc(scores, joined["is_noisy"].to_numpy(), resamples, seed)
    return rows
