"""The ablation of EGT on the toy world: which pairs GRPO trains on, in which order, and what it bought.

An *arm* is a training schedule: the pairs kept at some ``keep_quantile`` of pair entropy, split
into curriculum stages in some order. Runs are named by that (order, quantile) *variant*, so arms
and the keep_quantile sweep that coincide (EGT at the configured quantile is also a sweep point;
curriculum-only is the sweep at 1.0) are trained once. Every run starts from the same SFT model and
the same rollouts and trains the same number of GRPO steps; only the seed of the RL stage differs
(and, in the oracle control, the labels).
"""

from __future__ import annotations

import math

import numpy as np
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
ACCURACY_REWARD_KEY = "rewards/accuracy_reward/mean"  # trl's log key for egt.training.rewards.accuracy_reward
AMBIGUITY_BANDS = 5  # equal-count bands of benchmark image ambiguity, for where an arm gains or loses


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


# --- analysis -------------------------------------------------------------------------------


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    sorted_values = values[order]
    boundaries = np.flatnonzero(np.diff(sorted_values)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(values)]])
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return ranks


def auroc(scores: np.ndarray, positives: np.ndarray) -> float | None:
    """Area under the ROC curve of ``scores`` for flagging ``positives`` (Mann-Whitney U; ties = 1/2)."""
    scores, positives = np.asarray(scores, dtype=np.float64), np.asarray(positives, dtype=bool)
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        return None
    rank_sum = _ranks(scores)[positives].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def spearman_rho(x: np.ndarray, y: np.ndarray) -> float | None:
    rx, ry = _ranks(np.asarray(x, dtype=np.float64)), _ranks(np.asarray(y, dtype=np.float64))
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def bootstrap_spearman(x: np.ndarray, y: np.ndarray, resamples: int, seed: int) -> dict:
    """Spearman rho with a percentile bootstrap 95% interval (pairs resampled with replacement)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        index = rng.integers(0, len(x), len(x))
        rho = spearman_rho(x[index], y[index])
        if rho is not None:
            draws.append(rho)
    low, high = np.percentile(draws, [2.5, 97.5]).tolist() if draws else (None, None)
    return {"rho": spearman_rho(x, y), "ci95": [low, high], "resamples": resamples}


def noise_detection(pairs: pl.DataFrame, keep_quantile: float) -> dict:
    """How well dropping the highest-entropy pairs removes injected noise.

    ``pairs`` has ``pair_id``, ``pair_entropy`` and ``is_noisy``. Precision: the noisy share of
    the dropped pairs; recall: the share of all noisy pairs that were dropped.
    """
    cut = quantile_cut(pairs, keep_quantile)
    noisy_total = int(pairs["is_noisy"].sum())
    noisy_dropped = int(cut.dropped["is_noisy"].sum())
    dropped = cut.dropped.height
    return {
        "keep_quantile": keep_quantile,
        "pairs_kept": cut.kept.height,
        "pairs_dropped": dropped,
        "noise_rate_before": float(pairs["is_noisy"].mean()) if pairs.height else None,
        "noise_rate_after": float(cut.kept["is_noisy"].mean()) if cut.kept.height else None,
        "precision_dropped": noisy_dropped / dropped if dropped else None,
        "recall_dropped": noisy_dropped / noisy_total if noisy_total else None,
    }


def mean_std(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    std = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return float(np.mean(values)), std


def _mean_lists(lists: list[list[float | None]]) -> list[float | None]:
    """Element-wise mean over seeds (None where a seed logged nothing)."""
    return [mean_std([v for v in column if v is not None])[0] for column in zip(*lists, strict=True)]


def compare_to_baseline(arm: dict, baseline: dict) -> dict:
    """Difference of seed means and whether it exceeds the seed spread.

    The spread of a difference between one run of each arm is sqrt(std_arm^2 + std_base^2);
    "exceeds" means |difference| is larger than that (undefined with fewer than 2 seeds).
    """
    if arm["mean"] is None or baseline["mean"] is None:
        return {"difference": None, "spread": None, "exceeds_spread": None}
    difference = arm["mean"] - baseline["mean"]
    if arm["std"] is None or baseline["std"] is None:
        return {"difference": difference, "spread": None, "exceeds_spread": None}
    spread = math.hypot(arm["std"], baseline["std"])
    return {"difference": difference, "spread": spread, "exceeds_spread": bool(abs(difference) > spread)}


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
    difficulty = hidden.select("pair_id", "difficulty").sort("difficulty", "pair_id").with_row_index("rank")
    n = difficulty.height
    banded = difficulty.with_columns((pl.col("rank") * bands // max(n, 1)).alias("band"))
    return (
        judgments.select("pair_id", "correct")
        .join(banded, on="pair_id", how="inner")
        .group_by("band")
        .agg(
            pl.col("difficulty").min().alias("ambiguity_lo"),
            pl.col("difficulty").max().alias("ambiguity_hi"),
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
    joined = pairs.join(hidden.select("pair_id", "is_noisy", "difficulty"), on="pair_id", how="inner")
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
        row["vs_baseline"] = compare_to_baseline(row, arms["baseline"]) if arm != "baseline" else None

    sweep_rows = []
    for q in sweep:
        detection = noise_detection(joined, q)
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
                entropy, joined["difficulty"].to_numpy(), bootstrap_resamples, seed + 1
            ),
        },
        "noise_detection": {
            "auroc": auroc(entropy, joined["is_noisy"].to_numpy()),
            **noise_detection(joined, keep_quantile),
        },
        "arms": arms,
        "sweep": sweep_rows,
    }


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _band_table(result: dict) -> list[str]:
    sft_bands = result["sft"]["accuracy_by_ambiguity"]
    head = " | ".join(f"{b['ambiguity_lo']:.2f}–{b['ambiguity_hi']:.2f}" for b in sft_bands)
    lines = [f"| model | {head} |", "| --- |" + " ---: |" * len(sft_bands)]
    rows = [("SFT (start)", sft_bands)] + [(arm, row["accuracy_by_ambiguity"]) for arm, row in result["arms"].items()]
    for name, bands in rows:
        lines.append(f"| {name} | " + " | ".join(_fmt(b["accuracy"]) for b in bands) + " |")
    return lines


def ablation_markdown(result: dict) -> str:
    """The ablation as a readable page (the README quotes it)."""
    seeds = result["seeds"]
    ev = result["entropy_vs_accuracy"]
    nd = result["noise_detection"]
    rho, rho_amb = ev["spearman_accuracy"], ev["spearman_ambiguity"]
    lines = [
        "# EGT ablation on the toy world",
        "",
        f"Seeds {', '.join(map(str, seeds))}; every arm starts from the same SFT model "
        f"(toy-benchmark accuracy {_fmt(result['sft']['accuracy'])}) and the same rollouts, "
        "and trains the same number of GRPO steps.",
        "",
        "## Arms: toy-benchmark accuracy after GRPO",
        "",
        "| arm | trains on | pairs | accuracy mean ± std | right in both orders | Δ vs baseline "
        "| seed spread of Δ | Δ beyond spread? | train reward | zero-variance groups |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: |",
    ]
    for arm, row in result["arms"].items():
        vs = row["vs_baseline"] or {}
        lines.append(
            f"| {arm} | {row['description']} | {row['pairs_trained_on']} | {_fmt(row['mean'])} ± {_fmt(row['std'])} "
            f"| {_fmt(row['both_orders_mean'])} | {_fmt(vs.get('difference'))} | {_fmt(vs.get('spread'))} "
            f"| {_fmt(vs.get('exceeds_spread'))} | {_fmt(row['train_reward'])} | {_fmt(row['frac_reward_zero_std'])} |"
        )
    lines += [
        "",
        "Seed spread of Δ = sqrt(std_arm² + std_baseline²), the spread of a difference between single "
        "runs; zero-variance groups = share of prompts whose generations all got the same reward "
        "(no GRPO gradient).",
        "",
        "### What GRPO saw (mean over seeds)",
        "",
        "| arm | zero-variance groups by stage | accuracy reward, first → second half of each stage |",
        "| --- | --- | --- |",
        *[
            f"| {arm} | {' / '.join(_fmt(v, 2) for v in row['frac_reward_zero_std_by_stage'])} "
            f"| {_fmt(row['accuracy_reward_first_half'])} → {_fmt(row['accuracy_reward_second_half'])} |"
            for arm, row in result["arms"].items()
        ],
        "",
        "### Where the accuracy moves: toy-benchmark accuracy by image ambiguity (mean over seeds)",
        "",
        *_band_table(result),
        "",
        "## Entropy vs accuracy",
        "",
        f"Spearman ρ(pair entropy, rollout accuracy) = {_fmt(rho['rho'])} "
        f"(bootstrap 95% CI {_fmt(rho['ci95'][0])} to {_fmt(rho['ci95'][1])}, {rho['resamples']} resamples); "
        f"ρ(pair entropy, image ambiguity) = {_fmt(rho_amb['rho'])} "
        f"({_fmt(rho_amb['ci95'][0])} to {_fmt(rho_amb['ci95'][1])}).",
        "",
        "| bin | entropy range (nats) | pairs | rollout accuracy |",
        "| ---: | --- | ---: | ---: |",
    ]
    for b in ev["bins"]:
        lines.append(
            f"| {b['bin'] + 1} | {b['entropy_lo']:.3f} – {b['entropy_hi']:.3f} | {b['n']} | {_fmt(b['accuracy'])} |"
        )
    lines += [
        "",
        "## Noise detection",
        "",
        f"AUROC of pair entropy for flagging injected-noise pairs: {_fmt(nd['auroc'])} (0.5 = chance). "
        f"At keep_quantile {nd['keep_quantile']}: {nd['pairs_dropped']} pairs dropped, precision "
        f"{_fmt(nd['precision_dropped'])}, recall {_fmt(nd['recall_dropped'])}; noise rate "
        f"{_fmt(nd['noise_rate_before'])} before, {_fmt(nd['noise_rate_after'])} after.",
        "",
        "## keep_quantile sweep (low-to-high curriculum)",
        "",
        "| keep_quantile | pairs kept | noise rate kept | precision dropped | recall dropped | accuracy | seeds |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["sweep"]:
        accuracy = _fmt(row["accuracy_mean"]) + (f" ± {_fmt(row['accuracy_std'])}" if row["accuracy_std"] else "")
        lines.append(
            f"| {row['keep_quantile']:.2f} | {row['pairs_kept']} | {_fmt(row['noise_rate_after'])} "
            f"| {_fmt(row['precision_dropped'])} | {_fmt(row['recall_dropped'])} | {accuracy} | {row['seeds']} |"
        )
    return "\n".join(lines) + "\n"
