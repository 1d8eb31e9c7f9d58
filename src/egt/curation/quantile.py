"""Entropy-guided curation: keep the share of the pool whose curation signal is lowest."""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Cut:
    kept: pl.DataFrame
    dropped: pl.DataFrame
    threshold: float | None  # the signal of the last kept pair; None when nothing is kept (or it has none)


def quantile_cut(pairs: pl.DataFrame, keep_quantile: float, by: str = "pair_entropy") -> Cut:
    """Keep the ``ceil(keep_quantile * n)`` pairs of lowest ``by`` (a curation signal's column).

    These are the pairs at or below the ``keep_quantile`` quantile (lower interpolation).
    Ties at the threshold are broken by ``pair_id`` so the kept count is exact and the cut
    is deterministic. A pair without a value (e.g. no parsed answer for the answer-token entropy)
    ranks as the most suspect.
    """
    if not 0.0 <= keep_quantile <= 1.0:
        raise ValueError(f"keep_quantile must be in [0, 1], got {keep_quantile}")
    ordered = pairs.sort(by, "pair_id", nulls_last=True)
    # round() guards against float error such as 0.7 * 10 = 7.000000000000001
    num_kept = math.ceil(round(keep_quantile * pairs.height, 9))
    kept, dropped = ordered.head(num_kept), ordered.tail(pairs.height - num_kept)
    last = kept[by][-1] if num_kept else None
    threshold = float(last) if last is not None else None
    return Cut(kept=kept, dropped=dropped, threshold=threshold)
