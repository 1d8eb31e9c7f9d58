"""The ablation's results: each arm's accuracy over seeds and against the SFT model, the baseline and
the oracle (with paired bootstrap intervals over the scored pairs), what GRPO saw while training,
noise detection against its ceiling, and the keep_quantile sweep."""

from __future__ import annotations

import numpy as np
import polars as pl

from egt.analysis.ablation.plan import ARM_DESCRIPTIONS, Variant, arm_seeds, arm_variant, select_pairs
from egt.analysis.ceiling import accuracy_by_ambiguity, detection_ceiling, ideal_accuracy
from egt.analysis.noise import noise_detection
from egt.analysis.stats import auroc, bootstrap_spearman, difference_vs, mean_std

ACCURACY_REWARD_KEY = "rewards/accuracy_reward/mean"  # trl's log key for egt.training.rewards.accuracy_reward
FIRST_ANSWER_KEY = "rewards/answers_first/mean"  # the share of completions answering "1" (a weight-0 reward)
# What the verdict asks of the oracle control: a gain of at least this many seed stds over SFT,
# and the accuracy reward rising by at least this much within every stage.
ORACLE_MIN_STDS, ORACLE_MIN_REWARD_RISE = 3.0, 0.05


def _mean(rows: list[dict], key: str) -> float | None:
    values = [row[key] for row in rows if row.get(key) is not None]
    return float(np.mean(values)) if values else None


def training_diagnostics(histories: list[list[dict]]) -> list[dict]:
    """One run's GRPO logs, stage by stage.

    ``frac_reward_zero_std`` is the share of prompts whose completions all got the same reward:
    they carry no GRPO advantage, so no gradient. The accuracy reward in the first and second half
    of a stage's logged steps says whether training raised its own objective; the share of
    completions answering "1" whether it drifted toward a position habit.
    """
    stages = []
    for history in histories:
        rows = [row for row in history if "reward" in row]
        first, second = rows[: len(rows) // 2], rows[len(rows) // 2 :]
        stages.append(
            {
                "frac_reward_zero_std": _mean(rows, "frac_reward_zero_std"),
                "accuracy_reward_first_half": _mean(first, ACCURACY_REWARD_KEY),
                "accuracy_reward_second_half": _mean(second, ACCURACY_REWARD_KEY),
                "answers_first": _mean(rows, FIRST_ANSWER_KEY),
            }
        )
    return stages


def per_pair_accuracy(judgments: pl.DataFrame, pair_ids: list[str]) -> np.ndarray:
    """Each pair's accuracy over its presentation orders, in ``pair_ids`` order."""
    per_pair = judgments.group_by("pair_id").agg(pl.col("correct").cast(pl.Float64).mean())
    ordered = pl.DataFrame({"pair_id": pair_ids}).join(per_pair, on="pair_id", how="left")
    if ordered["correct"].null_count():
        raise ValueError(f"{ordered['correct'].null_count()} scored pairs have no judgment")
    return ordered["correct"].to_numpy()


def paired_bootstrap(columns: dict[str, np.ndarray], statistic, resamples: int, seed: int) -> list[float] | None:
    """Percentile 95% interval of ``statistic(means)`` with the scored pairs resampled jointly.

    ``columns`` maps a name to per-pair accuracies (already averaged over seeds); every column is
    resampled with the same pair indices, so differences keep their pairing.
    """
    rng = np.random.default_rng(seed)
    n = len(next(iter(columns.values())))
    draws = []
    for _ in range(resamples):
        index = rng.integers(0, n, n)
        value = statistic({name: float(values[index].mean()) for name, values in columns.items()})
        if value is not None and np.isfinite(value):
            draws.append(value)
    return np.percentile(draws, [2.5, 97.5]).tolist() if draws else None


def seeds_and_pairs_bootstrap(
    accuracies: dict[str, np.ndarray], statistic, resamples: int, seed: int
) -> list[float] | None:
    """Percentile 95% interval of ``statistic(means)`` with both sources of noise resampled: the scored
    pairs jointly for every column (as :func:`paired_bootstrap`), and each column's seeds on their own.

    ``accuracies`` maps a name to a (seeds x pairs) matrix of per-pair accuracies. With few seeds per arm
    the seed resampling is coarse, but it is what a pairs-only interval leaves out: GRPO runs that differ
    only in their seed end several hundredths apart here, more than the pairs' sampling noise.
    """
    rng = np.random.default_rng(seed)
    num_pairs = next(iter(accuracies.values())).shape[1]
    draws = []
    for _ in range(resamples):
        pairs = rng.integers(0, num_pairs, num_pairs)
        means = {}
        for name, matrix in accuracies.items():
            seeds = rng.integers(0, matrix.shape[0], matrix.shape[0])
            means[name] = float(matrix[seeds][:, pairs].mean())
        value = statistic(means)
        if value is not None and np.isfinite(value):
            draws.append(value)
    return np.percentile(draws, [2.5, 97.5]).tolist() if draws else None


def _gap(means: dict, arm: str) -> float | None:
    gap = means["oracle_labels"] - means["baseline"]
    return (means[arm] - means["baseline"]) / gap if gap else None


def build_ablation(
    *,
    pairs: pl.DataFrame,
    hidden: pl.DataFrame,
    split_hidden: pl.DataFrame,
    bins: list[dict],
    noise: dict,
    sft_metrics: dict,
    sft_judgments: pl.DataFrame,
    arms: list[str],
    run_metrics: dict[tuple[str, int], dict],
    run_judgments: dict[tuple[str, int], pl.DataFrame],
    run_histories: dict[tuple[str, int], list[list[dict]]],
    sweep_metrics: dict[tuple[str, int], dict],
    keep_quantile: float,
    seeds: list[int],
    extra_seeds: list[int],
    split: str,
    bootstrap_resamples: int,
    seed: int,
    signal: str = "pair_entropy",
) -> dict:
    """Everything the ablation reports, as one JSON-ready dict.

    ``pairs`` is the pool's pair-entropy table and ``hidden`` its truth; ``split_hidden`` the truth
    of the split the arms are scored on (``split``); ``bins`` the entropy stage's bins. Run inputs
    are keyed by (variant name, seed).
    """
    joined = pairs.join(hidden, on="pair_id", how="inner")
    if joined.height != pairs.height:
        raise ValueError(f"{pairs.height - joined.height} pairs have no hidden truth; is this the toy world's pool?")
    entropy = joined["pair_entropy"].to_numpy()
    scored_ids = sorted(split_hidden["pair_id"].to_list())
    per_pair = {"sft": per_pair_accuracy(sft_judgments, scored_ids)}
    per_seed = {}  # arm -> (seeds x pairs)

    table = {}
    for arm in arms:
        variant = arm_variant(arm, keep_quantile).name
        arm_runs = [(variant, s) for s in arm_seeds(arm, seeds, extra_seeds)]
        accuracies = [run_metrics[run]["accuracy"] for run in arm_runs]
        mean, std = mean_std(accuracies)
        per_seed[arm] = np.array([per_pair_accuracy(run_judgments[run], scored_ids) for run in arm_runs])
        per_pair[arm] = per_seed[arm].mean(axis=0)
        diagnostics = [training_diagnostics(run_histories[run]) for run in arm_runs]
        by_stage = [
            {key: _mean([d[stage] for d in diagnostics], key) for key in diagnostics[0][stage]}
            for stage in range(len(diagnostics[0]))
        ]
        bands = [accuracy_by_ambiguity(run_judgments[run], split_hidden) for run in arm_runs]
        table[arm] = {
            "description": ARM_DESCRIPTIONS[arm],
            "variant": variant,
            "pairs_trained_on": select_pairs(pairs, Variant.parse(variant), arm_runs[0][1]).height,
            "accuracy_by_seed": {str(s): a for (_, s), a in zip(arm_runs, accuracies, strict=True)},
            "mean": mean,
            "std": std,
            "both_orders_mean": mean_std([run_metrics[run]["accuracy_both_orders"] for run in arm_runs])[0],
            "by_stage": by_stage,
            "accuracy_by_ambiguity": [
                {**band, "accuracy": float(np.mean([b[i]["accuracy"] for b in bands]))}
                for i, band in enumerate(bands[0])
            ],
        }

    def against(reference: str):
        def statistic(arm):
            return lambda m: m[arm] - m[reference]

        return statistic

    sft_row = {"mean": sft_metrics["accuracy"], "std": 0.0}
    for arm, row in table.items():
        columns = {name: per_pair[name] for name in ("sft", arm, "baseline", "oracle_labels") if name in per_pair}
        row["vs_sft"] = {
            **difference_vs(row, sft_row),
            "ci95": paired_bootstrap(columns, against("sft")(arm), bootstrap_resamples, seed),
        }
        row["vs_baseline"] = (
            {
                **difference_vs(row, table["baseline"]),
                "ci95": paired_bootstrap(columns, against("baseline")(arm), bootstrap_resamples, seed),
                "ci95_seeds_and_pairs": seeds_and_pairs_bootstrap(
                    {name: per_seed[name] for name in (arm, "baseline")},
                    against("baseline")(arm),
                    bootstrap_resamples,
                    seed,
                ),
            }
            if "baseline" in table and arm != "baseline"
            else None
        )
        row["gap_recovered"] = (
            {
                "share": _gap({name: per_pair[name].mean() for name in columns}, arm),
                "ci95": paired_bootstrap(columns, lambda m, arm=arm: _gap(m, arm), bootstrap_resamples, seed),
            }
            if {"baseline", "oracle_labels"} <= set(table) and arm not in ("baseline", "oracle_labels")
            else None
        )

    sweep = []
    for (variant, run_seed), metrics in sweep_metrics.items():
        quantile = Variant.parse(variant).keep_quantile
        sweep.append(
            {**noise_detection(pairs, hidden, quantile, signal), "accuracy": metrics["accuracy"], "seed": run_seed}
        )

    return {
        "split": split,
        "seeds": seeds,
        "extra_seeds": extra_seeds,
        "keep_quantile": keep_quantile,
        "ceiling": {
            "ideal_accuracy": ideal_accuracy(split_hidden),
            "accuracy_by_ambiguity": accuracy_by_ambiguity(sft_judgments, split_hidden),
        },
        "sft": {"accuracy": sft_metrics["accuracy"], "both_orders": sft_metrics["accuracy_both_orders"]},
        "entropy_vs_accuracy": {
            "bins": bins,
            "spearman_accuracy": bootstrap_spearman(entropy, joined["accuracy"].to_numpy(), bootstrap_resamples, seed),
            # the toy world's ground truth: is entropy high where the image is ambiguous?
            "spearman_ambiguity": bootstrap_spearman(
                entropy, joined["ambiguity"].to_numpy(), bootstrap_resamples, seed + 1
            ),
        },
        "noise_detection": {
            "kind": noise["kind"],
            "auroc": auroc(entropy, joined["is_noisy"].to_numpy()),
            "auroc_ceiling": detection_ceiling(hidden, noise),
            **noise_detection(pairs, hidden, keep_quantile, signal),
        },
        "arms": table,
        "verdict": verdict(table),
        "sweep": sorted(sweep, key=lambda row: row["keep_quantile"]),
    }


def verdict(table: dict) -> dict:
    """The two preconditions for judging EGT on this world: (a) GRPO with clean labels learns,
    (b) the label noise hurts it. Each is None when its arms were not trained."""
    oracle, baseline = table.get("oracle_labels"), table.get("baseline")
    learns = None
    if oracle and oracle["std"] is not None:
        rises = [
            s["accuracy_reward_second_half"] - s["accuracy_reward_first_half"]
            for s in oracle["by_stage"]
            if s["accuracy_reward_first_half"] is not None and s["accuracy_reward_second_half"] is not None
        ]
        ci = oracle["vs_sft"]["ci95"]
        learns = {
            "gain_over_sft": oracle["vs_sft"]["difference"],
            "seed_std": oracle["std"],
            "ci95": ci,
            "reward_rise_by_stage": rises,
            "holds": bool(
                oracle["vs_sft"]["difference"] > 0
                and oracle["vs_sft"]["difference"] >= ORACLE_MIN_STDS * oracle["std"]
                and ci is not None
                and ci[0] > 0
                and rises
                and min(rises) >= ORACLE_MIN_REWARD_RISE
            ),
        }
    hurts = None
    if oracle and baseline and baseline["vs_baseline"] is None and oracle["vs_baseline"]:
        versus = oracle["vs_baseline"]
        hurts = {
            "oracle_minus_baseline": versus["difference"],
            "seed_spread": versus["spread"],
            "holds": bool(
                versus["spread"] is not None
                and versus["difference"] > 0
                and versus["difference"] >= 3 * versus["spread"]
            ),
        }
    return {"grpo_learns_with_clean_labels": learns, "noise_hurts": hurts}
