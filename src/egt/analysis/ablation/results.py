"""The ablation's results: per arm accuracy over seeds, what GRPO saw, and noise detection."""

from __future__ import annotations

import numpy as np
import polars as pl

from egt.analysis.ablation.plan import ARM_DESCRIPTIONS, ARMS, SWEEP_ORDER, arm_variant, variant_name
from egt.analysis.noise import noise_detection
from egt.analysis.stats import auroc, bootstrap_spearman, difference_vs, mean_std
from egt.curation.quantile import quantile_cut

ACCURACY_REWARD_KEY = "rewards/accuracy_reward/mean"  # trl's log key for egt.training.rewards.accuracy_reward
AMBIGUITY_BANDS = 5  # equal-count bands of benchmark image ambiguity, for where an arm gains or loses


def _mean_lists(lists: list[list[float | None]]) -> list[float | None]:
    """Element-wise mean over seeds (None where a seed logged nothing)."""
    return [mean_std([v for v in column if v is not None])[0] for column in zip(*lists, strict=True)]


def training_diagnostics(histories: list[list[dict]]) -> dict:
    """One run's GRPO logs, stage by stage: reward, zero-variance groups, and whether it learns.

    ``frac_reward_zero_std`` is the share of prompts whose generations all got the same reward:
    they carry no GRPO advantage, so no gradient. The accuracy reward in the first and second
    half of each stage's logged steps says whether training raised its own objective.
    """

    def mean_of(rows, key):
        values = [row[key] for row in rows if key in row]
        return float(np.mean(values)) if values else None

    stages = [[row for row in history if "reward" in row] for history in histories]
    rows = [row for stage in stages for row in stage]
    halves = [(stage[: len(stage) // 2], stage[len(stage) // 2 :]) for stage in stages if len(stage) > 1]
    return {
        "reward": mean_of(rows, "reward"),
        "frac_reward_zero_std": mean_of(rows, "frac_reward_zero_std"),
        "frac_reward_zero_std_by_stage": [mean_of(stage, "frac_reward_zero_std") for stage in stages],
        "accuracy_reward_first_half": mean_of([r for first, _ in halves for r in first], ACCURACY_REWARD_KEY),
        "accuracy_reward_second_half": mean_of([r for _, second in halves for r in second], ACCURACY_REWARD_KEY),
    }


def accuracy_by_ambiguity(judgments: pl.DataFrame, hidden: pl.DataFrame, bands: int) -> list[dict]:
    """Benchmark accuracy (both orders pooled) in equal-count bands of image ambiguity."""
    ambiguity = hidden.select("pair_id", "ambiguity").sort("ambiguity", "pair_id").with_row_index("rank")
    n = ambiguity.height
    banded = ambiguity.with_columns((pl.col("rank") * bands // max(n, 1)).alias("band"))
    return (
        judgments.select("pair_id", "correct")
        .join(banded, on="pair_id", how="inner")
        .group_by("band")
        .agg(
            pl.col("ambiguity").min().alias("ambiguity_min"),
            pl.col("ambiguity").max().alias("ambiguity_max"),
            pl.col("pair_id").n_unique().alias("pairs"),
            pl.col("correct").cast(pl.Float64).mean().alias("accuracy"),
        )
        .sort("band")
        .drop("band")
        .to_dicts()
    )


def build_ablation(
    pairs: pl.DataFrame,
    hidden: pl.DataFrame,
    bins: list[dict],
    sft_metrics: dict,
    benchmark_hidden: pl.DataFrame,
    sft_judgments: pl.DataFrame,
    run_judgments: dict[tuple[str, int], pl.DataFrame],
    run_metrics: dict[tuple[str, int], dict],
    run_histories: dict[tuple[str, int], list[list[dict]]],
    keep_quantile: float,
    seeds: list[int],
    sweep: list[float],
    sweep_seeds: int,
    bootstrap_resamples: int,
    seed: int,
) -> dict:
    """Everything the ablation reports, as one JSON-ready dict.

    ``pairs`` is the pool's pair-entropy table, ``hidden`` the toy world's truth, ``bins`` the
    entropy bins of the entropy stage; ``benchmark_hidden`` the benchmark pairs' ambiguity;
    ``run_judgments``/``run_metrics``/``run_histories`` are keyed by (variant, seed).
    """
    joined = pairs.join(hidden.select("pair_id", "is_noisy", "ambiguity"), on="pair_id", how="inner")
    if joined.height != pairs.height:
        raise ValueError(f"{pairs.height - joined.height} pairs have no hidden truth; is this the toy world's pool?")
    entropy = joined["pair_entropy"].to_numpy()

    def accuracy_of(variant, run_seed):
        return run_metrics[(variant, run_seed)]["accuracy"]

    arms = {}
    for arm in ARMS:
        variant = arm_variant(arm, keep_quantile)
        accuracies = [accuracy_of(variant, s) for s in seeds]
        both_orders = [run_metrics[(variant, s)]["accuracy_both_orders"] for s in seeds]
        mean, std = mean_std(accuracies)
        diagnostics = [training_diagnostics(run_histories[(variant, s)]) for s in seeds]
        # per ambiguity band, the mean over seeds
        bands = [accuracy_by_ambiguity(run_judgments[(variant, s)], benchmark_hidden, AMBIGUITY_BANDS) for s in seeds]
        by_band = [
            {**band, "accuracy": float(np.mean([b[i]["accuracy"] for b in bands]))} for i, band in enumerate(bands[0])
        ]
        arms[arm] = {
            "description": ARM_DESCRIPTIONS[arm],
            "variant": variant,
            "pairs_trained_on": quantile_cut(
                pairs, ARMS[arm][1] if ARMS[arm][1] is not None else keep_quantile
            ).kept.height,
            "accuracy_by_seed": dict(zip(map(str, seeds), accuracies, strict=True)),
            "mean": mean,
            "std": std,
            "both_orders_mean": mean_std(both_orders)[0],
            "train_reward": mean_std([d["reward"] for d in diagnostics if d["reward"] is not None])[0],
            "frac_reward_zero_std": mean_std(
                [d["frac_reward_zero_std"] for d in diagnostics if d["frac_reward_zero_std"] is not None]
            )[0],
            "accuracy_by_ambiguity": by_band,
            "frac_reward_zero_std_by_stage": _mean_lists([d["frac_reward_zero_std_by_stage"] for d in diagnostics]),
            "accuracy_reward_first_half": mean_std(
                [d["accuracy_reward_first_half"] for d in diagnostics if d["accuracy_reward_first_half"] is not None]
            )[0],
            "accuracy_reward_second_half": mean_std(
                [d["accuracy_reward_second_half"] for d in diagnostics if d["accuracy_reward_second_half"] is not None]
            )[0],
        }
    for arm, row in arms.items():
        row["vs_baseline"] = difference_vs(row, arms["baseline"]) if arm != "baseline" else None

    sweep_rows = []
    for q in sweep:
        detection = noise_detection(pairs, hidden, q)
        accuracies = [accuracy_of(variant_name(SWEEP_ORDER, q), s) for s in seeds[:sweep_seeds]]
        mean, std = mean_std(accuracies)
        sweep_rows.append({**detection, "accuracy_mean": mean, "accuracy_std": std, "seeds": len(accuracies)})

    return {
        "seeds": seeds,
        "keep_quantile": keep_quantile,
        "sft": {
            "accuracy": sft_metrics["accuracy"],
            "both_orders": sft_metrics["accuracy_both_orders"],
            "accuracy_by_ambiguity": accuracy_by_ambiguity(sft_judgments, benchmark_hidden, AMBIGUITY_BANDS),
        },
        "entropy_vs_accuracy": {
            "bins": bins,
            "spearman_accuracy": bootstrap_spearman(entropy, joined["accuracy"].to_numpy(), bootstrap_resamples, seed),
            # the toy world's ground truth: is entropy high where the image is ambiguous?
            "spearman_ambiguity": bootstrap_spearman(
                entropy, joined["ambiguity"].to_numpy(), bootstrap_resamples, seed + 1
            ),
        },
        "noise_detection": {
            "auroc": auroc(entropy, joined["is_noisy"].to_numpy()),
            **noise_detection(pairs, hidden, keep_quantile),
        },
        "arms": arms,
        "sweep": sweep_rows,
    }
