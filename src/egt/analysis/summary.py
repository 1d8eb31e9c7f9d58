"""results/summary.json and results/summary.md: the run in one place."""

from __future__ import annotations

import polars as pl

from egt.analysis.noise import bins_with_noise, noise_rate


def build_summary(
    analysis: dict,
    curation: dict,
    kept: pl.DataFrame,
    dropped: pl.DataFrame,
    curriculum: dict,
    metrics: dict[str, dict[str, dict]],
    hidden: pl.DataFrame | None,
    histories: dict[str, list[dict]],
    validation: dict[str, dict] | None = None,
    skipped: dict[str, pl.DataFrame] | None = None,
) -> dict:
    pairs = pl.concat([kept, dropped])
    return {
        "data": {
            name: {
                **{k: report[k] for k in ("rows_in", "rows_kept", "rows_quarantined", "reasons")},
                # records the source adapter could not use (missing image, video item, …)
                "records_skipped": skipped[name].height if skipped and name in skipped else 0,
            }
            for name, report in (validation or {}).items()
        },
        "entropy": {
            "spearman": analysis["spearman"],
            "bins": bins_with_noise(analysis["bins"], pl.concat([kept, dropped]), hidden),
        },
        "curation": {
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
        lines += [
            "## Data",
            "",
            "| dataset | records skipped by the adapter | rows in | kept | quarantined |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, d in summary["data"].items():
            lines.append(
                f"| {name} | {d['records_skipped']} | {d['rows_in']} | {d['rows_kept']} | {d['rows_quarantined']} |"
            )
        lines.append("")
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
        f"(entropy ≤ {_fmt(c['threshold'])}).",
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
    lines += [
        "",
        "## Evaluation",
        "",
        "| model | benchmark | accuracy | both orders | format rate | position consistency |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for model, benchmarks in summary["evaluation"].items():
        for name, m in benchmarks.items():
            lines.append(
                f"| {model} | {name} | {_fmt(m['accuracy'])} | {_fmt(m['accuracy_both_orders'])} | "
                f"{_fmt(m['format_rate'])} | {_fmt(m['position_consistency'])} |"
            )
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
    return "\n".join(lines) + "\n"
