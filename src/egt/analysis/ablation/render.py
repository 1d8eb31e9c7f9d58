"""The ablation as a readable page (the README quotes it)."""

from __future__ import annotations


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
    head = " | ".join(f"{b['ambiguity_min']:.2f}–{b['ambiguity_max']:.2f}" for b in sft_bands)
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
            f"| {b['bin'] + 1} | {b['entropy_min']:.3f} – {b['entropy_max']:.3f} | {b['n']} | {_fmt(b['accuracy'])} |"
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
