"""The ablation's plan: arms, the runs that train them, and each run's schedule.

An *arm* is a training schedule: the pairs kept at some ``keep_quantile`` of pair entropy, split
into curriculum stages in some order. Runs are named by that (order, quantile) *variant*, so arms
and the keep_quantile sweep that coincide (EGT at the configured quantile is also a sweep point;
curriculum-only is the sweep at 1.0) are trained once. Every run starts from the same SFT model and
the same rollouts and trains the same number of GRPO steps; only the seed of the RL stage differs
(and, in the oracle control, the labels).
"""

from __future__ import annotations

import polars as pl

from egt.curation.curriculum import split_stages
from egt.curation.quantile import quantile_cut

# arm -> (curriculum order, keep_quantile; None = the configured curation.keep_quantile)
ARMS: dict[str, tuple[str, float | None]] = {
    "baseline": ("random", 1.0),
    "curation_only": ("random", None),
    "curriculum_only": ("low_to_high", 1.0),
    "egt": ("low_to_high", None),
    "high_to_low": ("high_to_low", None),
    "oracle_labels": ("random", 1.0),
}
# Arms that train on the toy world's true labels instead of the annotated ones: a control that
# no real dataset allows, telling label noise apart from anything else that limits GRPO.
ORACLE_ARMS = {"oracle_labels"}
ORACLE_PREFIX = "oracle_"
ARM_DESCRIPTIONS = {
    "baseline": "whole pool, random order",
    "curation_only": "kept pairs, random order",
    "curriculum_only": "whole pool, low-to-high entropy",
    "egt": "kept pairs, low-to-high entropy",
    "high_to_low": "kept pairs, high-to-low entropy (control)",
    "oracle_labels": "whole pool with its true labels, random order (control)",
}
SWEEP_ORDER = "low_to_high"


def variant_name(order: str, keep_quantile: float, oracle: bool = False) -> str:
    return f"{ORACLE_PREFIX if oracle else ''}{order}_q{keep_quantile:.2f}"


def parse_variant(name: str) -> tuple[str, float]:
    """(curriculum order, keep_quantile) of a run name such as ``low_to_high_q0.70``."""
    order, _, quantile = name.removeprefix(ORACLE_PREFIX).rpartition("_q")
    return order, float(quantile)


def is_oracle(name: str) -> bool:
    return name.startswith(ORACLE_PREFIX)


def arm_variant(arm: str, keep_quantile: float) -> str:
    order, quantile = ARMS[arm]
    return variant_name(order, keep_quantile if quantile is None else quantile, oracle=arm in ORACLE_ARMS)


def with_true_labels(pool: pl.DataFrame, hidden: pl.DataFrame) -> pl.DataFrame:
    """The pool with each label replaced by the toy world's true label (for the oracle control)."""
    truth = hidden.select("pair_id", pl.col("true_label").cast(pool.schema["label"]))
    relabelled = pool.join(truth, on="pair_id", how="left")
    if relabelled["true_label"].null_count():
        raise ValueError(f"{relabelled['true_label'].null_count()} pool pairs have no true label")
    return relabelled.with_columns(pl.col("true_label").alias("label")).drop("true_label")


def planned_runs(keep_quantile: float, seeds: list[int], sweep: list[float], sweep_seeds: int) -> list[tuple[str, int]]:
    """Every (variant, seed) the ablation trains, each once, in a stable order."""
    runs = [(arm_variant(arm, keep_quantile), seed) for arm in ARMS for seed in seeds]
    runs += [(variant_name(SWEEP_ORDER, q), seed) for q in sweep for seed in seeds[:sweep_seeds]]
    return list(dict.fromkeys(runs))


def schedule(pairs: pl.DataFrame, keep_quantile: float, order: str, num_stages: int, seed: int) -> pl.DataFrame:
    """The pairs one run trains on, with their ``stage`` (1 = first): curation then curriculum."""
    kept = quantile_cut(pairs, keep_quantile).kept
    return split_stages(kept, num_stages, order, seed).select("pair_id", "pair_entropy", "stage")
