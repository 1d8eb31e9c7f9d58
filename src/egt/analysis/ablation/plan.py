"""The ablation's plan: arms, the runs that train them, and each run's schedule.

An *arm* is a training schedule: which labels (the annotated ones, or the toy world's truth for
the oracle control), which pairs (kept by entropy, at random, or by agreement with the rollouts),
and in which curriculum order. Runs are named by that *variant*, e.g.
``noisy_entropy_low_to_high_q0.70`` (EGT), so arms and sweep points that coincide train once.
Every run starts from the same SFT model and the same rollouts and trains the same number of GRPO
steps; only the run's seed (and what the variant names) differs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from egt.curation.curriculum import split_stages
from egt.curation.quantile import quantile_cut

LABELS = ("noisy", "oracle")
SELECTIONS = ("entropy", "random", "agreement")
ORDERS = ("random", "low_to_high", "high_to_low")
VARIANT_PATTERN = rf"({'|'.join(LABELS)})_({'|'.join(SELECTIONS)})_({'|'.join(ORDERS)})_q\d\.\d\d"


@dataclass(frozen=True)
class Variant:
    labels: str  # "noisy" (annotated) or "oracle" (the toy world's true labels)
    selection: str  # "entropy" (lowest), "random" (same count, at random), "agreement" (rollout majority = label)
    order: str  # curriculum order of the kept pairs
    keep_quantile: float  # share of pairs kept (entropy and random selection)

    @property
    def name(self) -> str:
        return f"{self.labels}_{self.selection}_{self.order}_q{self.keep_quantile:.2f}"

    @property
    def ranked(self) -> bool:
        """Whether the run's pairs or their order depend on how the pool is ranked (the curation signal of
        one model's rollouts). A random order over the whole pool or over a random draw does not: such runs
        are the same whichever model ranks the pool, and ablations ranked by different models share them."""
        whole_pool = self.selection == "entropy" and self.keep_quantile >= 1.0
        return not (self.order == "random" and (whole_pool or self.selection == "random"))

    @classmethod
    def parse(cls, name: str) -> Variant:
        match = re.fullmatch(VARIANT_PATTERN, name)
        if not match:
            raise ValueError(f"not an ablation variant: {name!r}")
        return cls(match[1], match[2], match[3], float(name.rpartition("_q")[2]))


# arm -> (labels, selection, order, keep_quantile; None = the configured curation.keep_quantile)
ARMS: dict[str, tuple[str, str, str, float | None]] = {
    "baseline": ("noisy", "entropy", "random", 1.0),
    "curation_only": ("noisy", "entropy", "random", None),
    "curriculum_only": ("noisy", "entropy", "low_to_high", 1.0),
    "egt": ("noisy", "entropy", "low_to_high", None),
    "high_to_low": ("noisy", "entropy", "high_to_low", None),
    "oracle_labels": ("oracle", "entropy", "random", 1.0),
    "random_drop": ("noisy", "random", "random", None),
    "label_aware": ("noisy", "agreement", "random", 1.0),
}
ARM_DESCRIPTIONS = {
    "baseline": "whole pool, random order",
    "curation_only": "lowest-entropy pairs (curation.signal), random order",
    "curriculum_only": "whole pool, low-to-high entropy (curation.signal)",
    "egt": "lowest-entropy pairs, low-to-high entropy (curation.signal)",
    "high_to_low": "lowest-entropy pairs, high-to-low entropy (control)",
    "oracle_labels": "whole pool with its true labels, random order (control)",
    "random_drop": "as many pairs as curation keeps, chosen at random (control)",
    "label_aware": "pairs whose rollout majority agrees with the label, random order (control)",
}
# The arms the verdict rests on; ablation.extra_seeds trains them with more seeds.
KEY_ARMS = ("baseline", "egt", "oracle_labels")
SWEEP = ("noisy", "entropy", "low_to_high")


def arm_variant(arm: str, keep_quantile: float) -> Variant:
    labels, selection, order, quantile = ARMS[arm]
    return Variant(labels, selection, order, keep_quantile if quantile is None else quantile)


def arm_seeds(arm: str, seeds: list[int], extra_seeds: list[int]) -> list[int]:
    return list(seeds) + (list(extra_seeds) if arm in KEY_ARMS else [])


def planned_runs(
    arms: list[str], keep_quantile: float, seeds: list[int], extra_seeds: list[int], sweep: list[float]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(arm runs, sweep runs): every (variant name, seed) the ablation trains, in a stable order.

    The sweep trains the low-to-high curriculum at each ``keep_quantile`` with the first seed;
    its points can coincide with arms (EGT, curriculum-only), which then train once.
    """
    arm_runs = [(arm_variant(a, keep_quantile).name, s) for a in arms for s in arm_seeds(a, seeds, extra_seeds)]
    sweep_runs = [(Variant(*SWEEP, q).name, seeds[0]) for q in sweep]
    return list(dict.fromkeys(arm_runs)), list(dict.fromkeys(sweep_runs))


def with_true_labels(pool: pl.DataFrame, hidden: pl.DataFrame) -> pl.DataFrame:
    """The pool with each label replaced by the toy world's true label (for the oracle control)."""
    truth = hidden.select("pair_id", pl.col("true_label").cast(pool.schema["label"]))
    relabelled = pool.join(truth, on="pair_id", how="left")
    if relabelled["true_label"].null_count():
        raise ValueError(f"{relabelled['true_label'].null_count()} pool pairs have no true label")
    return relabelled.with_columns(pl.col("true_label").alias("label")).drop("true_label")


def select_pairs(pairs: pl.DataFrame, variant: Variant, seed: int, by: str = "pair_entropy") -> pl.DataFrame:
    """The pairs a run keeps from the pair-entropy table (``entropy`` selection: lowest curation signal ``by``)."""
    if variant.selection == "entropy":
        return quantile_cut(pairs, variant.keep_quantile, by).kept
    if variant.selection == "random":
        count = math.ceil(round(variant.keep_quantile * pairs.height, 9))
        # a stream of its own, so the curriculum's random order is drawn independently
        chosen = np.random.default_rng([seed, 1]).choice(pairs.height, size=count, replace=False)
        return pairs.sort("pair_id")[sorted(chosen.tolist())]
    # agreement: the rollouts' majority answer names the labelled response (no answer parsed: kept)
    return pairs.filter(pl.col("majority_answer").is_null() | (pl.col("majority_answer") == pl.col("label")))


def schedule(
    pairs: pl.DataFrame, variant: Variant, num_stages: int, seed: int, by: str = "pair_entropy"
) -> pl.DataFrame:
    """The pairs one run trains on, with their ``stage`` (1 = first): selection, then curriculum, both by
    the curation signal ``by`` (config ``curation.signal``)."""
    kept = select_pairs(pairs, variant, seed, by)
    return split_stages(kept, num_stages, variant.order, seed, by).select("pair_id", by, "stage")
