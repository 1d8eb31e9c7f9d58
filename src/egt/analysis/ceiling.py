"""What the toy world allows: the ideal observer's accuracy and the best ambiguity-based noise detector.

Both come from the world's own generative model (``egt.data.toyworld``), through the hidden tables:
``ideal_p1`` is the ideal observer's probability that response 1 is right, ``ambiguity`` the blend
weight of each image. No judge can be expected to beat the ideal observer on a clean split, and no
detector that sees only ambiguity can find injected noise better than P(noise | ambiguity).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from egt.analysis.stats import auroc
from egt.data.toyworld import NoiseModel

AMBIGUITY_BANDS = 5  # equal-count bands of image ambiguity, for where accuracy is gained or lost


def ideal_correct(hidden: pl.DataFrame) -> pl.Series:
    """1 where the ideal observer names the true response, 0 where not, 0.5 on an exact tie."""
    p1, truth = hidden["ideal_p1"], hidden["true_label"]
    right = pl.when(p1 == 0.5).then(0.5).when((p1 > 0.5) == (truth == 1)).then(1.0).otherwise(0.0)
    return hidden.select(right.alias("ideal_correct"))["ideal_correct"]


def ideal_accuracy(hidden: pl.DataFrame) -> float | None:
    return float(ideal_correct(hidden).mean()) if hidden.height else None


def accuracy_by_ambiguity(judgments: pl.DataFrame | None, hidden: pl.DataFrame, bands: int = AMBIGUITY_BANDS):
    """Accuracy in equal-count bands of ambiguity: the ideal observer's and, given judgments
    (``pair_id``, ``correct``; both orders pooled), the model's."""
    ranked = hidden.sort("ambiguity", "pair_id").with_row_index("rank")
    banded = ranked.with_columns(
        ((pl.col("rank") * bands) // max(hidden.height, 1)).alias("band"), ideal_correct(ranked)
    )
    table = banded.group_by("band").agg(
        pl.col("ambiguity").min().alias("ambiguity_min"),
        pl.col("ambiguity").max().alias("ambiguity_max"),
        pl.len().alias("pairs"),
        pl.col("ideal_correct").mean().alias("ideal_accuracy"),
    )
    if judgments is not None:
        model = (
            judgments.select("pair_id", pl.col("correct").cast(pl.Float64))
            .join(banded.select("pair_id", "band"), on="pair_id", how="inner")
            .group_by("band")
            .agg(pl.col("correct").mean().alias("accuracy"))
        )
        table = table.join(model, on="band", how="left")
    return table.sort("band").drop("band").to_dicts()


def detection_ceiling(hidden: pl.DataFrame, noise: dict) -> float | None:
    """AUROC of the best ambiguity-only detector, P(label is noisy | ambiguity), for the injected noise."""
    probability = NoiseModel(**noise).noise_probability(hidden["ambiguity"].to_numpy().astype(np.float64))
    return auroc(probability, hidden["is_noisy"].to_numpy())
