"""Entropy-guided curation: keep the lowest-entropy share of the pool."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Cut:
    kept: pl.DataFrame
    dropped: pl.DataFrame
    threshold: float | None  # pair_entropy of the last kept pair; None when nothing is kept


def quantile_cut(pairs: pl.DataFrame, keep_quantile: float) -> Cut:
    """Keep the ``ceil(keep_quantile * n)`` pairs of lowest ``pair_entropy``.

    These are the pairs at or below the ``keep_quantile`` quantile (lower interpolation).
    Ties at the threshold are broken by ``pair_id`` so the kept count is exact and the cut
    is deterministic.
    """
    if not 0.0 <= keep_quantile <= 1.0:
        raise ValueError(f"keep_quantile must be in [0, 1], got {keep_quantile}")
    ordered = pairs.sort("pair_entropy", "pair_id")
    # round() guards against float error such as 0.7 * 10 = 7.000000000000001
    num_kept = math.ceil(round(keep_quantile * pairs.height, 9))
    kept, dropped = ordered.head(num_kept), ordered.tail(pairs.height - num_kept)
    threshold = float(kept["pair_entropy"][-1]) if num_kept else None
    return Cut(kept=kept, dropped=dropped, threshold=threshold)
