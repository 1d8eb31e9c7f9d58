"""Issue 24's scorer: can a model trained with more phase-1 budget see the injected noise?

Each scorer is an SFT model built like the pipeline's (same base model and recipe) on ``traces`` phase-1
traces for ``steps`` steps; its rollouts over a *noisy validation split* (labelled by the pool's
annotators, from its own random stream) give each curation signal's AUROC for the injected noise there.
The cheapest budget whose pair entropy reaches ``target`` is chosen on that split alone: the pool's
truth and the benchmark take no part in the choice.
"""

from __future__ import annotations


def scorer_name(spec: dict) -> str:
    """``t<traces>_s<steps>``: the folder name of a scorer under results/<run>/scorers/."""
    return f"t{int(spec['traces'])}_s{int(spec['steps'])}"


def sweep(points: list[dict], target: float, signal: str = "pair_entropy") -> dict:
    """The AUROC-vs-budget curve, cheapest first (by SFT steps, then traces), and the choice.

    ``points``: one dict per scorer with ``traces``, ``steps``, ``ceiling`` and ``signals`` (rows of
    :func:`egt.analysis.noise.signal_aurocs`). The chosen scorer is the cheapest whose ``signal``
    AUROC is at least ``target``; None when none reaches it.
    """
    rows = []
    for point in sorted(points, key=lambda p: (p["steps"], p["traces"])):
        aurocs = {row["signal"]: row["auroc"] for row in point["signals"]}
        interval = next((row.get("ci95") for row in point["signals"] if row["signal"] == signal), None)
        rows.append(
            {
                "scorer": scorer_name(point),
                **{k: point[k] for k in ("traces", "steps", "ceiling")},
                **aurocs,
                "ci95": interval,
            }
        )
    chosen = next((row["scorer"] for row in rows if (row.get(signal) or 0.0) >= target), None)
    return {"signal": signal, "target": target, "points": rows, "chosen": chosen}


def sweep_signals(result: dict) -> list[str]:
    """The signals a sweep's points carry, in their order."""
    if not result["points"]:
        return []
    return [k for k in result["points"][0] if k not in ("scorer", "traces", "steps", "ceiling", "ci95")]


def sweep_markdown(result: dict) -> str:
    signals = sweep_signals(result)
    lines = [
        "# Scorer sweep: AUROC for the injected noise vs phase-1 budget (noisy validation split)",
        "",
        "| scorer | traces | SFT steps | " + " | ".join(signals) + f" | {result['signal']} 95% CI | ceiling |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in signals) + " | ---: | ---: |",
    ]
    for row in result["points"]:
        values = " | ".join(f"{row[s]:.3f}" if row.get(s) is not None else "n/a" for s in signals)
        interval = f"{row['ci95'][0]:.3f} to {row['ci95'][1]:.3f}" if row.get("ci95") else "–"
        lines.append(
            f"| {row['scorer']} | {row['traces']} | {row['steps']} | {values} | {interval} | {row['ceiling']:.3f} |"
        )
    chosen = result["chosen"] or f"none (no scorer's {result['signal']} reaches the target)"
    lines += ["", f"Target: {result['signal']} AUROC ≥ {result['target']}; chosen: **{chosen}**.", ""]
    return "\n".join(lines)
