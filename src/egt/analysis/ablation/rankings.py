"""The ablation ranked by two models, side by side (issue 24): the SFT model RL starts from (the paper's
setting) and a scorer that sees more of the noise (``entropy.model: scorer``).

Both ablations train RL from the same SFT model with the same arms and seeds; only the ranking that
curation, the curriculum and the label-aware control read differs, and the runs no ranking changes
(baseline, oracle labels, random drop) are the same runs. So an arm's two results differ by the ranking
alone, and their difference gets a paired bootstrap interval over the scored pairs, as in each table.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from egt.analysis.ablation.plan import arm_variant
from egt.analysis.ablation.results import paired_bootstrap, per_pair_accuracy, seeds_and_pairs_bootstrap

RANKINGS = ("sft", "scorer")


def compare_rankings(
    tables: dict[str, dict], judgments: dict[str, dict[str, list[pl.DataFrame]]], resamples: int, seed: int
) -> dict:
    """Each arm under both rankings, and the scorer-ranked minus the SFT-ranked accuracy.

    ``tables`` maps "sft" and "scorer" to that ablation's table (egt.analysis.ablation.results.build_ablation);
    ``judgments`` maps each ranking to the scored judgments of every run (one frame per seed) of its
    *ranked* arms. Arms whose schedule no ranking changes appear once, with no difference.
    """
    if set(tables) != set(RANKINGS):
        raise ValueError(f"need the tables of both rankings {RANKINGS}, got {sorted(tables)}")
    sft, scorer = tables["sft"], tables["scorer"]
    if list(sft["arms"]) != list(scorer["arms"]) or sft["seeds"] != scorer["seeds"]:
        raise ValueError(
            "the two ablations must train the same arms with the same seeds to stand side by side: "
            f"{list(sft['arms'])} seeds {sft['seeds']} against {list(scorer['arms'])} seeds {scorer['seeds']}"
        )
    if sft["sft"]["accuracy"] != scorer["sft"]["accuracy"]:
        raise ValueError("the two ablations start from different SFT models; RL must start from the same one")

    arms = {}
    for arm in sft["arms"]:
        ranked = arm_variant(arm, sft["keep_quantile"]).ranked
        row = {
            "ranked": ranked,
            **{ranking: _arm_summary(tables[ranking]["arms"][arm]) for ranking in RANKINGS},
            "scorer_minus_sft": None,
        }
        if ranked:
            per_seed = {ranking: _per_seed(judgments[ranking][arm]) for ranking in RANKINGS}
            columns = {ranking: matrix.mean(axis=0) for ranking, matrix in per_seed.items()}
            row["scorer_minus_sft"] = {
                "difference": float(columns["scorer"].mean() - columns["sft"].mean()),
                "ci95": paired_bootstrap(columns, _scorer_minus_sft, resamples, seed),
                "ci95_seeds_and_pairs": seeds_and_pairs_bootstrap(per_seed, _scorer_minus_sft, resamples, seed),
            }
        arms[arm] = row
    return {
        "split": sft["split"],
        "seeds": sft["seeds"],
        "extra_seeds": sft["extra_seeds"],
        "keep_quantile": sft["keep_quantile"],
        "sft_accuracy": sft["sft"]["accuracy"],
        "ideal_accuracy": sft["ceiling"]["ideal_accuracy"],
        "rankings": {ranking: _ranking_summary(tables[ranking]) for ranking in RANKINGS},
        "arms": arms,
    }


def _scorer_minus_sft(means: dict) -> float:
    return means["scorer"] - means["sft"]


def _per_seed(frames: list[pl.DataFrame]) -> np.ndarray:
    """(seeds x pairs) per-pair accuracy of one arm's runs."""
    pair_ids = sorted(frames[0]["pair_id"].unique().to_list())
    return np.array([per_pair_accuracy(frame, pair_ids) for frame in frames])


def _arm_summary(row: dict) -> dict:
    keys = ("mean", "std", "accuracy_by_seed", "pairs_trained_on", "vs_baseline", "gap_recovered")
    return {key: row[key] for key in keys}


def _ranking_summary(table: dict) -> dict:
    detection = table["noise_detection"]
    return {
        "auroc": detection["auroc"],
        "auroc_ceiling": detection["auroc_ceiling"],
        "noise_rate_before": detection["noise_rate_before"],
        "noise_rate_after": detection["noise_rate_after"],
        "spearman_accuracy": table["entropy_vs_accuracy"]["spearman_accuracy"],
    }


def _fmt(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _signed(entry: dict | None) -> str:
    """A difference with its interval: seeds and pairs resampled where the entry has it."""
    if not entry:
        return "–"
    low_high = entry.get("ci95_seeds_and_pairs") or entry.get("ci95")
    interval = f" ({low_high[0]:+.3f} to {low_high[1]:+.3f})" if low_high else ""
    return f"{entry['difference']:+.3f}{interval}"


def rankings_markdown(result: dict, scorer: str) -> str:
    """The side-by-side page: how well each ranking sees the noise, then every arm under both."""
    sft_rank, scorer_rank = result["rankings"]["sft"], result["rankings"]["scorer"]
    extra = (
        f" (baseline, EGT and oracle also {', '.join(map(str, result['extra_seeds']))})"
        if result["extra_seeds"]
        else ""
    )
    lines = [
        "# EGT ablation: entropy from the model RL trains, and from a scorer that sees more",
        "",
        f"Scored on the {result['split']} split, both presentation orders pooled. Seeds "
        f"{', '.join(map(str, result['seeds']))}{extra}. Both ablations train GRPO from the same SFT model "
        f"(accuracy {_fmt(result['sft_accuracy'])}; ideal observer {_fmt(result['ideal_accuracy'])}) with the same "
        f"arms, seeds and steps; only the ranking that curation, the curriculum and the label-aware control read "
        f"differs: the SFT model's own rollouts, or the scorer {scorer}'s.",
        "",
        "## How well each ranking sees the injected noise (the pool)",
        "",
        f"| | ranked by the SFT model | ranked by the scorer {scorer} |",
        "| --- | ---: | ---: |",
        f"| pair-entropy AUROC for the noisy pairs (ceiling {_fmt(sft_rank['auroc_ceiling'])}) | "
        f"{_fmt(sft_rank['auroc'])} | {_fmt(scorer_rank['auroc'])} |",
        f"| noise rate of the pairs curation keeps (pool {_fmt(sft_rank['noise_rate_before'])}) | "
        f"{_fmt(sft_rank['noise_rate_after'])} | {_fmt(scorer_rank['noise_rate_after'])} |",
        f"| Spearman ρ(pair entropy, rollout accuracy) | {_fmt(sft_rank['spearman_accuracy']['rho'])} | "
        f"{_fmt(scorer_rank['spearman_accuracy']['rho'])} |",
        "",
        "## Arms: accuracy after GRPO under each ranking",
        "",
        "| arm | SFT-ranked: accuracy | Δ vs baseline (95% CI) | scorer-ranked: accuracy | Δ vs baseline (95% CI) "
        "| scorer − SFT ranking (95% CI) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for arm, row in result["arms"].items():
        cells = [f"{_fmt(row[r]['mean'])} ± {_fmt(row[r]['std'])}" for r in RANKINGS]
        deltas = [_signed(row[r]["vs_baseline"]) for r in RANKINGS]
        difference = _signed(row["scorer_minus_sft"]) if row["ranked"] else "same runs"
        lines.append(f"| {arm} | {cells[0]} | {deltas[0]} | {cells[1]} | {deltas[1]} | {difference} |")
    lines += [
        "",
        "95% intervals: bootstrap over the scored pairs (jointly for the two sides of a difference) and over each "
        "arm's seeds: GRPO runs that differ only in their seed end several hundredths apart, more than the pairs' "
        "sampling noise (each ablation's table also gives the pairs-only interval). "
        '"same runs": baseline, oracle labels and random drop read no ranking, so both ablations share them.',
    ]
    return "\n".join(lines) + "\n"
