"""Entropy tables: per-pair aggregates of the rollouts and the entropy-accuracy analysis (polars)."""

from __future__ import annotations

import polars as pl

from egt.curation.signals import SIGNALS
from egt.schemas import ENTROPY_BIN_SCHEMA, pair_entropy_schema


def pair_entropy_table(rollouts: pl.LazyFrame, labels: pl.LazyFrame) -> pl.LazyFrame:
    """Aggregate K rollouts per pair, with a column per registered curation signal; ``labels`` has
    ``pair_id`` and ``label``.

    Rollouts are reduced per pair first (counts of each answer, entropy moments, the signals over
    rollouts) and only then joined with the labels, so the join touches one row per pair instead of K.
    """
    entropy = pl.col("mean_token_entropy").cast(pl.Float64)
    over_rollouts = [s.expression.alias(s.name) for s in SIGNALS.values() if s.over == "rollouts"]
    over_pair = [s.expression.alias(s.name) for s in SIGNALS.values() if s.over == "pair"]
    per_pair = rollouts.group_by("pair_id").agg(
        pl.len().alias("num_samples"),
        entropy.std(ddof=0).alias("entropy_std"),
        (pl.col("answer") == 1).sum().alias("ones"),
        (pl.col("answer") == 2).sum().alias("twos"),
        pl.col("format_ok").cast(pl.Float64).mean().alias("format_rate"),
        *over_rollouts,
    )
    ones, twos = pl.col("ones"), pl.col("twos")
    schema = pair_entropy_schema()
    return (
        per_pair.join(labels.select("pair_id", "label"), on="pair_id", how="inner")
        .with_columns(
            # unparseable samples are in num_samples, so they count as wrong
            (pl.when(pl.col("label") == 1).then(ones).otherwise(twos) / pl.col("num_samples")).alias("accuracy"),
            pl.when(ones + twos == 0).then(None).when(ones >= twos).then(1).otherwise(2).alias("majority_answer"),
        )
        .with_columns(*over_pair)
        .select(list(schema))
        .cast(schema)
        .sort("pair_id")
    )


def entropy_bins(pairs: pl.DataFrame, num_bins: int, extra_means: dict[str, str] | None = None) -> pl.DataFrame:
    """Pairs in equal-count bins of ``pair_entropy`` (deciles for 10), accuracy per bin.

    Pairs are ranked by (entropy, pair_id) so ties split deterministically and every bin
    has ``n // num_bins`` or one more pairs. ``extra_means`` maps output names to columns
    whose per-bin mean is added (e.g. the injected-noise share on the toy world).
    """
    extra_means = extra_means or {}
    n = pairs.height
    ranked = pairs.sort("pair_entropy", "pair_id").with_row_index("rank")
    return (
        ranked.with_columns((pl.col("rank") * num_bins // max(n, 1)).cast(pl.UInt32).alias("bin"))
        .group_by("bin")
        .agg(
            pl.col("pair_entropy").min().alias("entropy_min"),
            pl.col("pair_entropy").max().alias("entropy_max"),
            pl.len().alias("n"),
            pl.col("accuracy").mean(),
            *[pl.col(column).cast(pl.Float64).mean().alias(name) for name, column in extra_means.items()],
        )
        .sort("bin")
        .cast(ENTROPY_BIN_SCHEMA)
    )
