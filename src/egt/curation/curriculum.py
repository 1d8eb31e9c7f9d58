"""Curriculum splits: the kept pairs in stages by their curation signal (low to high entropy for EGT)."""

from __future__ import annotations

import numpy as np
import polars as pl

ORDERS = ("low_to_high", "high_to_low", "random")


def split_stages(pairs: pl.DataFrame, num_stages: int, order: str, seed: int, by: str = "pair_entropy") -> pl.DataFrame:
    """Add a ``stage`` column (1 = trained first) splitting ``pairs`` into near-equal stages.

    - ``low_to_high``: stage 1 holds the pairs of lowest ``by`` (a curation signal; EGT's curriculum);
    - ``high_to_low``: the reverse, as a control;
    - ``random``: a seeded shuffle, so stages carry no entropy order (ablation baseline).
    Stage sizes differ by at most one pair; a pair without a value counts as the highest.
    """
    if order not in ORDERS:
        raise ValueError(f"curriculum order must be one of {ORDERS}, got {order!r}")
    if num_stages < 1:
        raise ValueError(f"curriculum needs at least one stage, got {num_stages}")
    n = pairs.height
    if order == "random":
        permutation = np.random.default_rng(seed).permutation(n)
        ordered = pairs.sort("pair_id")[permutation.tolist()]
    else:
        descending = order == "high_to_low"
        ordered = pairs.sort(by, "pair_id", descending=[descending, False], nulls_last=not descending)
    stage = (np.arange(n) * num_stages // max(n, 1)) + 1
    return ordered.with_columns(pl.Series("stage", stage, dtype=pl.Int32))


def stage_summary(stages: pl.DataFrame, by: str = "pair_entropy") -> pl.DataFrame:
    """Pairs per stage and the range of the signal ``by`` in each (``entropy_min``/``entropy_max``)."""
    return (
        stages.group_by("stage")
        .agg(
            pl.len().alias("pairs"),
            pl.col(by).min().alias("entropy_min"),
            pl.col(by).max().alias("entropy_max"),
        )
        .sort("stage")
    )
