"""Figures for the report (matplotlib, PNG, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

DPI = 110


def _save(fig, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def entropy_histogram(
    values: list[float], threshold: float | None, keep_quantile: float, path, signal: str = "pair_entropy"
) -> None:
    """The pool's curation signal (pair entropy by default) with the curation cut."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([v for v in values if v is not None], bins=40, color="#4C72B0", edgecolor="white")
    if threshold is not None:
        ax.axvline(threshold, color="#C44E52", linestyle="--", linewidth=2, label=f"keep_quantile {keep_quantile} cut")
        ax.legend()
    if signal == "pair_entropy":
        ax.set_xlabel("pair entropy: mean per-token entropy over K samples (nats)")
        ax.set_title("Entropy of the preference pool")
    else:
        ax.set_xlabel(f"curation signal: {signal}")
        ax.set_title(f"Curation signal {signal} over the preference pool")
    ax.set_ylabel("pairs")
    _save(fig, path)


def entropy_accuracy(bins: list[dict], spearman: float | None, path) -> None:
    """Accuracy per entropy bin (bars, with counts) and, where known, the injected-noise share."""
    fig, ax = plt.subplots(figsize=(7, 4))
    centres = [(b["entropy_min"] + b["entropy_max"]) / 2 for b in bins]
    labels = [f"{i + 1}" for i in range(len(bins))]
    positions = range(len(bins))
    bars = ax.bar(positions, [b["accuracy"] for b in bins], color="#55A868", label="rollout accuracy vs label")
    for bar, b in zip(bars, bins, strict=True):
        ax.annotate(
            f"n={b['n']}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom", fontsize=7
        )
    if all(b.get("noise_rate") is not None for b in bins):
        ax.plot(
            positions, [b["noise_rate"] for b in bins], "o-", color="#C44E52", label="share of injected-noise pairs"
        )
    ax.set_xticks(list(positions), [f"{lab}\n{c:.3g}" for lab, c in zip(labels, centres, strict=True)], fontsize=7)
    ax.set_xlabel("entropy bin (equal counts; bin centre in nats)")
    ax.set_ylabel("share of pairs / samples")
    ax.set_ylim(0, 1.08)
    rho = "n/a" if spearman is None else f"{spearman:.3f}"
    ax.set_title(f"Entropy vs accuracy (Spearman ρ = {rho})")
    ax.legend(loc="lower left", fontsize=8)
    _save(fig, path)


def curriculum_stages(stages: list[dict], threshold: float | None, path, signal: str = "pair_entropy") -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    names = [str(s["stage"]) for s in stages]
    left.bar(names, [s["pairs"] for s in stages], color="#8172B2")
    left.set_xlabel("stage (trained in this order)")
    left.set_ylabel("pairs")
    left.set_title("Stage sizes")
    for i, s in enumerate(stages):
        right.plot([s["entropy_min"], s["entropy_max"]], [i, i], linewidth=8, solid_capstyle="butt", color="#8172B2")
    if threshold is not None:
        right.axvline(threshold, color="#C44E52", linestyle="--", label="curation cut")
        right.legend(fontsize=8)
    right.set_yticks(range(len(stages)), names)
    right.set_xlabel("pair entropy (nats)" if signal == "pair_entropy" else f"curation signal: {signal}")
    right.set_ylabel("stage")
    right.set_title("Entropy range per stage" if signal == "pair_entropy" else "Signal range per stage")
    _save(fig, path)


TRAINING_SERIES = [
    ("reward", "reward"),
    ("reward_std", "reward std"),
    ("completions/mean_length", "completion length (tokens)"),
    ("entropy", "token entropy (nats)"),
    ("loss", "loss"),
]


def training_curves(histories: list[tuple[str, list[dict]]], path) -> None:
    """GRPO stages on one continuous step axis, one panel per logged quantity."""
    fig, axes = plt.subplots(len(TRAINING_SERIES), 1, figsize=(8, 9), sharex=True)
    offset = 0
    for name, history in histories:
        logged = [h for h in history if "step" in h and "train_runtime" not in h]
        for ax, (key, _) in zip(axes, TRAINING_SERIES, strict=True):
            points = [(offset + h["step"], h[key]) for h in logged if h.get(key) is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker=".", label=name)
        last_step = max((h["step"] for h in history if "step" in h), default=0)
        offset += last_step
        for ax in axes:
            ax.axvline(offset, color="grey", linewidth=0.5)
    for ax, (_, label) in zip(axes, TRAINING_SERIES, strict=True):
        ax.set_ylabel(label, fontsize=8)
    axes[0].legend(fontsize=8, ncol=len(histories))
    axes[-1].set_xlabel("GRPO step (stages back to back)")
    axes[0].set_title("GRPO training, stage after stage")
    _save(fig, path)


def ablation_figure(result: dict, path) -> None:
    """Left: accuracy per arm (seeds as dots, mean ± std as bars) beside the SFT model and the ideal
    observer. Middle: accuracy by image-ambiguity band. Right: the keep_quantile sweep, noise rate
    of the kept pairs and validation accuracy after GRPO."""
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(17, 4.4))
    arms = list(result["arms"].items())
    for i, (_, row) in enumerate(arms):
        seeds = list(row["accuracy_by_seed"].values())
        left.bar(i, row["mean"], yerr=row["std"] or 0, color="#8172B2" if i else "#999999", capsize=4, alpha=0.7)
        left.scatter([i] * len(seeds), seeds, color="black", s=12, zorder=3)
    left.axhline(result["sft"]["accuracy"], color="#C44E52", linestyle="--", label="SFT model (start)")
    left.axhline(result["ceiling"]["ideal_accuracy"], color="#55A868", linestyle=":", label="ideal observer")
    left.set_xticks(range(len(arms)), [name.replace("_", "\n") for name, _ in arms], fontsize=8)
    values = [v for _, row in arms for v in row["accuracy_by_seed"].values()]
    values += [result["sft"]["accuracy"], result["ceiling"]["ideal_accuracy"]]
    margin = max(0.02, (max(values) - min(values)) * 0.3)
    left.set_ylim(max(0.0, min(values) - margin), min(1.0, max(values) + margin))
    left.set_ylabel(f"{result['split']} accuracy")
    left.set_title("Arms after GRPO (dots = seeds)")
    left.legend(loc="lower right", fontsize=8)

    bands = result["ceiling"]["accuracy_by_ambiguity"]
    centres = [(b["ambiguity_min"] + b["ambiguity_max"]) / 2 for b in bands]
    middle.plot(centres, [b["ideal_accuracy"] for b in bands], ":", color="#55A868", linewidth=2, label="ideal")
    middle.plot(centres, [b["accuracy"] for b in bands], "k--", linewidth=2, label="SFT (start)")
    for name, row in arms:
        middle.plot(centres, [b["accuracy"] for b in row["accuracy_by_ambiguity"]], "o-", label=name, alpha=0.8)
    middle.set_xlabel("image ambiguity (band centre; 0.5 = indistinguishable)")
    middle.set_ylabel(f"{result['split']} accuracy")
    middle.set_title("Where accuracy moves (mean over seeds)")
    middle.legend(fontsize=7)

    sweep = result["sweep"]
    quantiles = [row["keep_quantile"] for row in sweep]
    right.plot(quantiles, [row["noise_rate_after"] for row in sweep], "o-", color="#C44E52")
    right.set_xlabel("keep_quantile")
    right.set_ylabel("injected-noise rate of the kept pairs", color="#C44E52")
    twin = right.twinx()
    twin.plot(quantiles, [row["accuracy"] for row in sweep], "s-", color="#4C72B0")
    twin.set_ylabel("validation accuracy after GRPO", color="#4C72B0")
    right.set_title("keep_quantile sweep (one seed)")
    _save(fig, path)


def reliability_diagram(report: dict, path) -> None:
    """The preference probability's reliability: observed frequency per predicted-probability bin,
    the model beside the ideal observer, with the diagonal of perfect calibration."""
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", label="perfectly calibrated")
    for name, color, label in (("model", "#4C72B0", "reward model"), ("ideal_observer", "#55A868", "ideal observer")):
        rows = [b for b in report[name]["bins"] if b["n"]]
        ece = report[name]["ece"]
        ax.plot(
            [b["mean_probability"] for b in rows],
            [b["frequency"] for b in rows],
            "o-",
            color=color,
            label=f"{label} (ECE {'n/a' if ece is None else f'{ece:.3f}'})",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted P(response 1 is better)")
    ax.set_ylabel("observed share with response 1 better")
    ax.set_title(f"Calibration on the toy benchmark ({report['with_probability']} of {report['pairs']} pairs)")
    ax.legend(loc="upper left", fontsize=8)
    _save(fig, path)


def best_of_n_figure(report: dict, path) -> None:
    """Top-1 accuracy of the best-of-N pick (95 % Wilson intervals): the reward model beside the
    ideal observer and a random pick."""
    fig, ax = plt.subplots(figsize=(5, 4))
    names = [("model", "reward model", "#4C72B0"), ("ideal_observer", "ideal observer", "#55A868")]
    for x, (key, _, color) in enumerate(names):
        row = report[key]
        low, high = row["top1_interval"]
        ax.bar(x, row["top1"], color=color, alpha=0.8)
        ax.errorbar(x, row["top1"], yerr=[[row["top1"] - low], [high - row["top1"]]], color="black", capsize=5)
    random_label = f"random pick (1/{report['candidates']})"
    ax.axhline(report["random"]["top1"], color="#C44E52", linestyle="--", label=random_label)
    ax.set_xticks(range(len(names)), [label for _, label, _ in names])
    ax.set_ylim(0, 1)
    ax.set_ylabel("top-1 accuracy (right answer ranked first)")
    ax.set_title(f"Best of {report['candidates']} on {report['items']} toy questions (round robin)")
    ax.legend(loc="upper left", fontsize=8)
    _save(fig, path)


def rankings_figure(result: dict, path) -> None:
    """The ablation under two rankings (egt.analysis.ablation.rankings). Left: each arm's accuracy after
    GRPO, ranked by the SFT model (grey) and by the scorer (purple), seeds as dots; arms that read no
    ranking are one bar. Right: how well each ranking sees the injected noise (pair-entropy AUROC)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.4), gridspec_kw={"width_ratios": [4, 1]})
    colours = {"sft": "#999999", "scorer": "#8172B2"}
    values = [result["sft_accuracy"], result["ideal_accuracy"]]
    for i, row in enumerate(result["arms"].values()):
        rankings = ("sft", "scorer") if row["ranked"] else ("sft",)
        for j, ranking in enumerate(rankings):
            x = i + (j - 0.5) * 0.38 if row["ranked"] else i
            colour = colours[ranking] if row["ranked"] else "#4C72B0"
            seeds = list(row[ranking]["accuracy_by_seed"].values())
            left.bar(
                x, row[ranking]["mean"], width=0.36, yerr=row[ranking]["std"] or 0, color=colour, alpha=0.7, capsize=3
            )
            left.scatter([x] * len(seeds), seeds, color="black", s=10, zorder=3)
            values += seeds
    left.axhline(result["sft_accuracy"], color="#C44E52", linestyle="--", label="SFT model (start)")
    left.axhline(result["ideal_accuracy"], color="#55A868", linestyle=":", label="ideal observer")
    handles = left.get_legend_handles_labels()[0] + [
        Patch(color=colour, alpha=0.7, label=label)
        for colour, label in (
            (colours["sft"], "ranked by the SFT model"),
            (colours["scorer"], "ranked by the scorer"),
            ("#4C72B0", "reads no ranking (shared runs)"),
        )
    ]
    names = list(result["arms"])
    left.set_xticks(range(len(names)), [name.replace("_", "\n") for name in names], fontsize=8)
    margin = max(0.02, (max(values) - min(values)) * 0.3)
    left.set_ylim(max(0.0, min(values) - margin), min(1.0, max(values) + margin))
    left.set_ylabel(f"{result['split']} accuracy")
    left.set_title("Arms after GRPO (dots = seeds)")
    left.legend(handles=handles, loc="upper left", ncol=2, fontsize=7)

    rankings = result["rankings"]
    right.bar(
        [0, 1],
        [rankings["sft"]["auroc"], rankings["scorer"]["auroc"]],
        color=[colours["sft"], colours["scorer"]],
        alpha=0.7,
    )
    right.axhline(rankings["sft"]["auroc_ceiling"], color="#55A868", linestyle=":", label="ambiguity-only ceiling")
    right.axhline(0.5, color="black", linewidth=0.8, label="chance")
    right.set_xticks([0, 1], ["SFT\nmodel", "scorer"])
    right.set_ylim(0.4, 1.0)
    right.set_ylabel("pair-entropy AUROC, pool's noise")
    right.set_title("Does the ranking see the noise?")
    right.legend(fontsize=7)
    _save(fig, path)
