"""results/<run>/summary.json and summary.md: the run in one place."""

from __future__ import annotations

import polars as pl

from egt.analysis.ceiling import accuracy_by_ambiguity, detection_ceiling, ideal_accuracy
from egt.analysis.noise import bins_with_noise, noise_rate, signal_aurocs
from egt.analysis.stats import auroc
from egt.benchmarks import official_headline
from egt.data.usability import role


def build_summary(
    analysis: dict,
    curation: dict,
    kept: pl.DataFrame,
    dropped: pl.DataFrame,
    curriculum: dict,
    metrics: dict[str, dict[str, dict]],
    histories: dict[str, list[dict]],
    validation: dict[str, dict] | None = None,
    skipped: dict[str, pl.DataFrame] | None = None,
    truth: dict | None = None,
) -> dict:
    """Everything a run measured. ``truth`` (toy world only) holds ``pool_hidden``,
    ``clean_hidden`` (by evaluated dataset), ``judgments`` (by model and dataset) and ``noise``
    (the noise model's config): it adds noise rates, noise detection and the ideal-observer ceiling."""
    pairs = pl.concat([kept, dropped])
    hidden = truth["pool_hidden"] if truth else None
    summary = {
        "data": data_summary(validation or {}, skipped or {}),
        "entropy": {"spearman": analysis["spearman"], "bins": bins_with_noise(analysis["bins"], pairs, hidden)},
        "curation": {
            "signal": curation["signal"],
            "keep_quantile": curation["keep_quantile"],
            "threshold": curation["threshold"],
            "pairs_in": curation["pairs_in"],
            "pairs_kept": curation["pairs_kept"],
            "noise_rate_in": noise_rate(pairs, hidden),
            "noise_rate_kept": noise_rate(kept, hidden),
            "noise_rate_dropped": noise_rate(dropped, hidden),
        },
        "curriculum": curriculum,
        "evaluation": metrics,
        "training": {name: final_train_metrics(history) for name, history in histories.items()},
    }
    if truth:
        summary["toy_world"] = toy_world_truth(pairs, truth)
    return summary


def data_summary(validation: dict[str, dict], skipped: dict[str, pl.DataFrame]) -> dict[str, dict]:
    """Per dataset: its role, what the adapter skipped and validation quarantined, each by reason."""
    out = {}
    for name, report in validation.items():
        frame = skipped.get(name)
        skip_reasons = (
            {}
            if frame is None
            else dict(frame.group_by("reason").len().sort("len", "reason", descending=[True, False]).iter_rows())
        )
        out[name] = {
            "role": role(name),
            # records the source adapter could not use (missing image, tie, …), by reason
            "records_skipped": sum(skip_reasons.values()),
            "skip_reasons": skip_reasons,
            **{k: report[k] for k in ("rows_in", "rows_kept", "rows_quarantined", "reasons")},
        }
    return out


def data_markdown(data: dict[str, dict], reasons_shown: int = 5) -> str:
    """What each dataset kept and what it left out, with the most frequent reasons."""
    lines = [
        "| role | dataset | records skipped by the adapter | rows in | kept | quarantined |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, d in sorted(data.items(), key=lambda item: (item[1]["role"], item[0])):
        lines.append(
            f"| {d['role']} | {name} | {d['records_skipped']} | {d['rows_in']} | {d['rows_kept']} "
            f"| {d['rows_quarantined']} |"
        )
    left_out = []
    for name, d in sorted(data.items(), key=lambda item: (item[1]["role"], item[0])):
        for what, reasons, file in (
            ("skipped", d["skip_reasons"], f"data/{name}.skipped.parquet"),
            ("quarantined", d["reasons"], f"data/{name}.quarantine.parquet"),
        ):
            if reasons:
                ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
                shown = "; ".join(f"{count} × {reason}" for reason, count in ranked[:reasons_shown])
                more = f"; {len(ranked) - reasons_shown} more reasons" if len(ranked) > reasons_shown else ""
                left_out.append(f"- {name}, {what} ({file}): {shown}{more}")
    lines += ["", *(left_out or ["Nothing was left out."])]
    return "\n".join(lines)


def toy_world_truth(pairs: pl.DataFrame, truth: dict) -> dict:
    """Noise detection against its ceiling, and every model's accuracy beside the ideal observer's."""
    joined = pairs.join(truth["pool_hidden"], on="pair_id", how="inner")
    ceiling = {}
    for dataset, hidden in truth["clean_hidden"].items():
        by_model = {model: judged[dataset] for model, judged in truth["judgments"].items() if dataset in judged}
        bands = accuracy_by_ambiguity(None, hidden)
        for model, judgments in by_model.items():
            for band, row in zip(bands, accuracy_by_ambiguity(judgments, hidden), strict=True):
                band[model] = row["accuracy"]
        ceiling[dataset] = {
            "ideal_accuracy": ideal_accuracy(hidden),
            "accuracy": {model: float(j["correct"].cast(pl.Float64).mean()) for model, j in by_model.items()},
            "by_ambiguity": bands,
        }
    calibration, best_of_n = truth.get("calibration"), truth.get("best_of_n")
    return {
        **({"calibration": calibration} if calibration else {}),
        **({"best_of_n": best_of_n} if best_of_n else {}),
        "noise": {
            "kind": truth["noise"]["kind"],
            "rate": noise_rate(pairs, truth["pool_hidden"]),
            "auroc_entropy": auroc(joined["pair_entropy"].to_numpy(), joined["is_noisy"].to_numpy()),
            "auroc_ceiling": detection_ceiling(truth["pool_hidden"], truth["noise"]),
            "signals": signal_aurocs(pairs, truth["pool_hidden"]),
        },
        "ceiling": ceiling,
    }


def final_train_metrics(history: list[dict]) -> dict:
    """The trainer's closing record (runtime, steps) plus the last logged training values."""
    closing = next((h for h in reversed(history) if "train_runtime" in h), {})
    last = next((h for h in reversed(history) if "loss" in h or "reward" in h), {})
    keep = ("step", "loss", "reward", "reward_std", "mean_token_accuracy", "entropy")
    return {
        "train_runtime_s": closing.get("train_runtime"),
        "steps": closing.get("step"),
        **{f"last_{k}": last[k] for k in keep if k in last},
    }


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def summary_markdown(summary: dict) -> str:
    lines = ["# EGT run summary", ""]
    if summary.get("data"):
        lines += ["## Data", "", data_markdown(summary["data"]), ""]
    lines += [
        "## Entropy vs accuracy",
        "",
        f"Spearman correlation of pair entropy with rollout accuracy: {_fmt(summary['entropy']['spearman'])}",
        "",
        "| bin | entropy range (nats) | pairs | accuracy | injected-noise share |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for i, b in enumerate(summary["entropy"]["bins"], 1):
        lines.append(
            f"| {i} | {_fmt(b['entropy_min'])} – {_fmt(b['entropy_max'])} | {b['n']} | {_fmt(b['accuracy'])} "
            f"| {_fmt(b['noise_rate'])} |"
        )
    c = summary["curation"]
    lines += [
        "",
        "## Curation",
        "",
        f"keep_quantile {c['keep_quantile']}: kept {c['pairs_kept']} of {c['pairs_in']} pairs "
        f"({c['signal']} ≤ {_fmt(c['threshold'])}).",
        "",
        "| | injected-noise rate |",
        "| --- | ---: |",
        f"| all pairs | {_fmt(c['noise_rate_in'])} |",
        f"| kept | {_fmt(c['noise_rate_kept'])} |",
        f"| dropped | {_fmt(c['noise_rate_dropped'])} |",
        "",
        f"## Curriculum ({summary['curriculum']['order']})",
        "",
        "| stage | pairs | entropy min | entropy max |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for s in summary["curriculum"]["stages"]:
        lines.append(f"| {s['stage']} | {s['pairs']} | {_fmt(s['entropy_min'])} | {_fmt(s['entropy_max'])} |")
    lines += ["", "## Evaluation", "", *evaluation_lines(summary["evaluation"])]
    if "toy_world" in summary:
        lines += ["", *toy_world_lines(summary["toy_world"])]
    lines += [
        "",
        "## Training",
        "",
        "| run | steps | runtime (s) | last logged values |",
        "| --- | ---: | ---: | --- |",
    ]
    for name, t in summary["training"].items():
        extra = ", ".join(f"{k[5:]}={_fmt(v)}" for k, v in t.items() if k.startswith("last_") and k != "last_step")
        lines.append(f"| {name} | {_fmt(t['steps'])} | {_fmt(t['train_runtime_s'], 1)} | {extra} |")
    if summary.get("cost_plan"):
        lines += [
            "",
            "## Cost plan (the estimate before the run; measured job times: benchmarks/)",
            "",
            summary["cost_plan"],
        ]
    return "\n".join(lines) + "\n"


def evaluation_lines(evaluation: dict) -> list[str]:
    debiased, official = [], []
    for model, datasets in evaluation.items():
        for name, m in datasets.items():
            debiased.append(
                f"| {model} | {name} | {_fmt(m['accuracy'])} | {_fmt(m['accuracy_both_orders'])} | "
                f"{_fmt(m['format_rate'])} | {_fmt(m['position_consistency'])} |"
            )
            if "official" in m:
                official.append(f"| {model} | {name} | {official_headline(m['official'])} |")
    return [
        "**egt's debiased metrics**: every pair judged greedily in both presentation orders; a position",
        "habit scores 50 %, not the share of pairs whose preferred response happens to come first.",
        "",
        "| model | dataset | accuracy | both orders | format rate | position consistency |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *debiased,
        "",
        "**Official protocol**: R1-Reward's setting (the preferred response shown first, one pass, its answer",
        "fallback), scored by each benchmark's own scorer: the numbers to set beside published tables.",
        "",
        "| model | dataset | official metrics |",
        "| --- | --- | --- |",
        *official,
    ]


def signal_lines(noise: dict) -> list[str]:
    """Each curation signal's AUROC for the injected noise beside the ambiguity-only ceiling."""
    if not noise.get("signals"):
        return []
    lines = [
        f"Curation signals (egt.curation.signals), each from the same rollouts; AUROC for the injected noise "
        f"(ceiling for a detector that sees only ambiguity: {_fmt(noise['auroc_ceiling'])}):",
        "",
        "| signal | AUROC | pairs without a value | reads the label | what it is |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for row in noise["signals"]:
        aware = "yes (a control)" if row["label_aware"] else "no"
        lines.append(f"| {row['signal']} | {_fmt(row['auroc'])} | {row['missing']} | {aware} | {row['description']} |")
    return [*lines, ""]


def toy_world_lines(toy: dict) -> list[str]:
    noise = toy["noise"]
    lines = [
        "## Against the toy world's truth",
        "",
        f"Injected label noise ({noise['kind']}): {_fmt(noise['rate'])} of the pool. AUROC of pair entropy for "
        f"finding it: {_fmt(noise['auroc_entropy'])}; the best detector that sees only ambiguity: "
        f"{_fmt(noise['auroc_ceiling'])} (0.5 = chance).",
        "",
        *signal_lines(noise),
        "Accuracy beside the ideal observer (the best possible judge of this world):",
        "",
    ]
    calibration = toy.get("calibration")
    if calibration:
        lines[-2:-2] = [
            "Calibration of the final model's preference probability on the toy benchmark (egt.reward_model; "
            f"{calibration['with_probability']} of {calibration['pairs']} pairs have one): expected calibration "
            f"error {_fmt(calibration['model']['ece'])}, the ideal observer's "
            f"{_fmt(calibration['ideal_observer']['ece'])}.",
            "",
        ]
    best = toy.get("best_of_n")
    if best:
        lines[-2:-2] = [
            f"Best of {best['candidates']} on {best['items']} toy questions (round robin, {best['judgments']} "
            f"judgments): the final model ranks the right answer first in {_fmt(best['model']['top1'])} "
            f"(95 % interval {_fmt(best['model']['top1_interval'][0])}–{_fmt(best['model']['top1_interval'][1])}), "
            f"the ideal observer in {_fmt(best['ideal_observer']['top1'])}, a random pick in "
            f"{_fmt(best['random']['top1'])}.",
            "",
        ]
    for dataset, ceiling in toy["ceiling"].items():
        models = list(ceiling["accuracy"])
        bands = ceiling["by_ambiguity"]
        lines += [
            f"**{dataset}** — ideal {_fmt(ceiling['ideal_accuracy'])}; "
            + ", ".join(f"{m} {_fmt(a)}" for m, a in ceiling["accuracy"].items()),
            "",
            "| ambiguity | pairs | ideal | " + " | ".join(models) + " |",
            "| --- | ---: | ---: |" + " ---: |" * len(models),
            *[
                f"| {b['ambiguity_min']:.2f}–{b['ambiguity_max']:.2f} | {b['pairs']} | {_fmt(b['ideal_accuracy'])} | "
                + " | ".join(_fmt(b.get(m)) for m in models)
                + " |"
                for b in bands
            ],
            "",
        ]
    return lines
