"""Entropy tables: per-pair aggregates of the rollouts and the entropy-accuracy analysis (polars)."""

from __future__ import annotations

import polars as pl

from egt.schemas import ENTROPY_BIN_SCHEMA, PAIR_ENTROPY_SCHEMA


def pair_entropy_table(rollouts: pl.LazyFrame, labels: pl.LazyFrame) -> pl.LazyFrame:
    """Aggregate K rollouts per pair; ``labels`` has ``pair_id`` and ``label``."""
    answer_counts = pl.struct(ones=(pl.col("answer") == 1).sum(), twos=(pl.col("answer") == 2).sum())
    return (
        rollouts.join(labels.select("pair_id", "label"), on="pair_id", how="inner")
        .group_by("pair_id")
        .agg(
            pl.col("label").first(),
            pl.len().alias("num_samples"),
            pl.col("mean_token_entropy").cast(pl.Float64).mean().alias("pair_entropy"),
            pl.col("mean_token_entropy").cast(pl.Float64).std(ddof=0).alias("entropy_std"),
            answer_counts.alias("counts"),
            (pl.col("answer") == pl.col("label")).fill_null(False).mean().alias("accuracy"),
            pl.col("format_ok").cast(pl.Float64).mean().alias("format_rate"),
        )
        .with_columns(
            pl.when(pl.col("counts").struct["ones"] + pl.col("counts").struct["twos"] == 0)
            .then(None)
            .when(pl.col("counts").struct["ones"] >= pl.col("counts").struct["twos"])
            .then(1)
            .otherwise(2)
            .cast(pl.Int8)
            .alias("majority_answer")
        )
        .select(list(PAIR_ENTROPY_SCHEMA))
        .cast(PAIR_ENTROPY_SCHEMA)
        .sort("pair_id")
    )


def entropy_bins(pairs: pl.DataFrame, num_bins: int) -> pl.DataFrame:
    """Pairs in equal-count bins of ``pair_entropy`` (deciles for 10), accuracy per bin.

    Pairs are ranked by (entropy, pair_id) so ties split deterministically and every bin
    has ``n // num_bins`` or one more pairs.
    """
    n = pairs.height
    ranked = pairs.sort("pair_entropy", "pair_id").with_row_index("rank")
    return (
        ranked.with_columns((pl.col("rank") * num_bins // max(n, 1)).cast(pl.UInt32).alias("bin"))
        .group_by("bin")
        .agg(
            pl.col("pair_entropy").min().alias("entropy_lo"),
            pl.col("pair_entropy").max().alias("entropy_hi"),
            pl.len().alias("n"),
            pl.col("accuracy").mean(),
        )
        .sort("bin")
        .cast(ENTROPY_BIN_SCHEMA)
    )


def spearman(pairs: pl.DataFrame, x: str = "pair_entropy", y: str = "accuracy") -> float | None:
    """Spearman rank correlation (average ranks for ties); None when undefined."""
    value = pairs.select(pl.corr(x, y, method="spearman")).item()
    return None if value is None or value != value else float(value)
