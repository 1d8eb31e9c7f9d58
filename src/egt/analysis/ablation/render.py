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


def _signed(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def _ci(interval, digits: int = 3, signed: bool = True) -> str:
    if not interval:
        return "–"
    fmt = _signed if signed else _fmt
    return f"{fmt(interval[0], digits)} to {fmt(interval[1], digits)}"


def _arm_table(result: dict) -> list[str]:
    lines = [
        "| arm | trains on | pairs | seeds | accuracy mean ± std | Δ vs SFT (95% CI) | Δ vs baseline (95% CI) "
        "| Δ vs baseline, seeds resampled too (95% CI) | beyond seed spread? | share of the oracle gap (95% CI) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    for arm, row in result["arms"].items():
        vs_sft, vs_base, gap = row["vs_sft"], row["vs_baseline"] or {}, row["gap_recovered"] or {}
        lines.append(
            f"| {arm} | {row['description']} | {row['pairs_trained_on']} | {len(row['accuracy_by_seed'])} "
            f"| {_fmt(row['mean'])} ± {_fmt(row['std'])} "
            f"| {_signed(vs_sft['difference'])} ({_ci(vs_sft['ci95'])}) "
            f"| {_signed(vs_base.get('difference'))} ({_ci(vs_base.get('ci95'))}) "
            f"| {_ci(vs_base.get('ci95_seeds_and_pairs'))} "
            f"| {_fmt(vs_base.get('exceeds_spread'))} "
            f"| {_fmt(gap.get('share'), 2)} ({_ci(gap.get('ci95'), 2, signed=False)}) |"
        )
    return lines


def _stage_table(result: dict) -> list[str]:
    lines = [
        '| arm | stage | accuracy reward, first → second half | answers "1" | zero-variance groups |',
        "| --- | ---: | --- | ---: | ---: |",
    ]
    for arm, row in result["arms"].items():
        for stage, s in enumerate(row["by_stage"], 1):
            lines.append(
                f"| {arm} | {stage} | {_fmt(s['accuracy_reward_first_half'])} → "
                f"{_fmt(s['accuracy_reward_second_half'])} | {_fmt(s['answers_first'], 2)} "
                f"| {_fmt(s['frac_reward_zero_std'], 2)} |"
            )
    return lines


def _band_table(result: dict) -> list[str]:
    bands = result["ceiling"]["accuracy_by_ambiguity"]
    head = " | ".join(f"{b['ambiguity_min']:.2f}–{b['ambiguity_max']:.2f}" for b in bands)
    lines = [f"| model | {head} |", "| --- |" + " ---: |" * len(bands)]
    rows = [("ideal observer", [b["ideal_accuracy"] for b in bands]), ("SFT (start)", [b["accuracy"] for b in bands])]
    rows += [(arm, [b["accuracy"] for b in row["accuracy_by_ambiguity"]]) for arm, row in result["arms"].items()]
    for name, values in rows:
        lines.append(f"| {name} | " + " | ".join(_fmt(v) for v in values) + " |")
    return lines


def _verdict_lines(verdict: dict) -> list[str]:
    learns, hurts = verdict["grpo_learns_with_clean_labels"], verdict["noise_hurts"]
    lines = []
    if learns:
        rises = ", ".join(_signed(r) for r in learns["reward_rise_by_stage"])
        lines.append(
            f"- (a) GRPO with clean labels learns: {_fmt(learns['holds'])} — oracle arm "
            f"{_signed(learns['gain_over_sft'])} over SFT (95% CI {_ci(learns['ci95'])}; "
            f"seed std {_fmt(learns['seed_std'])}); accuracy reward rise "
            f"within each stage: {rises}."
        )
    if hurts:
        lines.append(
            f"- (b) The label noise hurts: {_fmt(hurts['holds'])} — oracle minus noisy baseline "
            f"{_signed(hurts['oracle_minus_baseline'])}, seed spread {_fmt(hurts['seed_spread'])}."
        )
    return lines


def ablation_markdown(result: dict) -> str:
    seeds = result["seeds"]
    ev, nd = result["entropy_vs_accuracy"], result["noise_detection"]
    rho, rho_amb = ev["spearman_accuracy"], ev["spearman_ambiguity"]
    extra = ""
    if result["extra_seeds"]:
        extra = f" (baseline, EGT and oracle also {', '.join(map(str, result['extra_seeds']))})"
    lines = [
        "# EGT ablation on the toy world",
        "",
        f"Scored on the {result['split']} split. Seeds {', '.join(map(str, seeds))}{extra}; every arm starts "
        f"from the same SFT model ({result['split']} accuracy {_fmt(result['sft']['accuracy'])}; the ideal "
        f"observer reaches {_fmt(result['ceiling']['ideal_accuracy'])}) and the same rollouts, and trains the "
        "same number of GRPO steps."
        + (f" The pool is ranked by {result['ranked_by']}." if result.get("ranked_by") else ""),
        "",
        "## Verdict preconditions",
        "",
        *_verdict_lines(result["verdict"]),
        "",
        "## Arms: accuracy after GRPO (both presentation orders pooled)",
        "",
        *_arm_table(result),
        "",
        "95% intervals: paired bootstrap over the scored pairs (per-pair accuracy averaged over seeds); "
        '"seeds resampled too" also resamples each arm\'s seeds, the noise a pairs-only interval leaves out. '
        "Seed spread of a difference = sqrt(std_arm² + std_reference²). Share of the oracle gap = "
        "(arm − baseline) / (oracle − baseline).",
        "",
        "### What GRPO saw, stage by stage (mean over seeds)",
        "",
        *_stage_table(result),
        "",
        "### Where accuracy moves: by image ambiguity (mean over seeds)",
        "",
        *_band_table(result),
        "",
        "## Entropy vs accuracy",
        "",
        f"Spearman ρ(pair entropy, rollout accuracy) = {_fmt(rho['rho'])} (bootstrap 95% CI "
        f"{_ci(rho['ci95'], signed=False)}, {rho['resamples']} resamples); ρ(pair entropy, image ambiguity) = "
        f"{_fmt(rho_amb['rho'])} ({_ci(rho_amb['ci95'], signed=False)}).",
        "",
        "| bin | entropy range (nats) | pairs | rollout accuracy |",
        "| ---: | --- | ---: | ---: |",
        *[
            f"| {b['bin'] + 1} | {b['entropy_min']:.3f} – {b['entropy_max']:.3f} | {b['n']} | {_fmt(b['accuracy'])} |"
            for b in ev["bins"]
        ],
        "",
        "## Noise detection",
        "",
        f"Injected noise: {nd['kind']}. AUROC of pair entropy for flagging the noisy pairs: {_fmt(nd['auroc'])}; "
        f"the best detector that sees only ambiguity: {_fmt(nd['auroc_ceiling'])} (0.5 = chance). At keep_quantile "
        f"{nd['keep_quantile']}: {nd['pairs_dropped']} pairs dropped, precision {_fmt(nd['precision_dropped'])}, "
        f"recall {_fmt(nd['recall_dropped'])}; noise rate {_fmt(nd['noise_rate_before'])} before, "
        f"{_fmt(nd['noise_rate_after'])} after.",
        "",
        "## keep_quantile sweep (low-to-high curriculum, first seed, validation split)",
        "",
        "| keep_quantile | pairs kept | noise rate kept | precision dropped | recall dropped | validation accuracy |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {row['keep_quantile']:.2f} | {row['pairs_kept']} | {_fmt(row['noise_rate_after'])} "
            f"| {_fmt(row['precision_dropped'])} | {_fmt(row['recall_dropped'])} | {_fmt(row['accuracy'])} |"
            for row in result["sweep"]
        ],
    ]
    return "\n".join(lines) + "\n"
