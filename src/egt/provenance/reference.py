"""A run's reference figures: the SFT weights' sha256 and the numbers the README quotes.

``reference/<run>.json`` holds them for the embedded default (``toy``) and the smoke preset, as
measured on the machine and numeric environment it names. :func:`compare` checks a run (finished,
or stopped after any stage) against it, figure by figure: with the CPU kernels pinned
(``egt.numerics``), the same commit gives the same bytes, so every figure must match exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

from egt.provenance.fingerprint import sha256_file

# The evaluation figures compared, per model and benchmark (egt's debiased metrics and the official one).
EVALUATION_KEYS = ("accuracy", "accuracy_both_orders", "position_consistency", "format_rate")
# Figures of the finished run, from summary.json.
SUMMARY_KEYS = (
    ("entropy", "spearman"),
    ("curation", "threshold"),
    ("curation", "noise_rate_in"),
    ("curation", "noise_rate_kept"),
    ("curation", "noise_rate_dropped"),
    ("toy_world", "noise", "auroc_entropy"),
)


def _dig(tree: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def figures(results_dir: str | Path) -> dict:
    """The figures a run has produced so far: the sha256 of the built base model's and the SFT model's
    weights, each evaluation's figures and (once the run is finished) the summary's."""
    results_dir = Path(results_dir)
    found: dict[str, object] = {}
    for name, weights in (("base", "models/base"), ("sft", "sft/model")):
        if (results_dir / weights / "model.safetensors").is_file():
            found[f"{name}_weights_sha256"] = sha256_file(results_dir / weights / "model.safetensors")
    for path in sorted(results_dir.glob("evaluation/*/*.json")):
        metrics = json.loads(path.read_text())
        name = f"evaluation.{path.parent.name}.{path.stem}"
        for key in EVALUATION_KEYS:
            if key in metrics:
                found[f"{name}.{key}"] = metrics[key]
        official = (metrics.get("official") or {}).get("accuracy")
        if official is not None:
            found[f"{name}.official_accuracy"] = official
    summary = results_dir / "summary.json"
    if summary.is_file():
        tree = json.loads(summary.read_text())
        for path in SUMMARY_KEYS:
            value = _dig(tree, path)
            if value is not None:
                found[".".join(path)] = value
    return found


def compare(reference: dict, found: dict) -> tuple[list[str], list[str]]:
    """(matching figures, differences) for every reference figure the run has produced."""
    same, differ = [], []
    for key, expected in reference["figures"].items():
        if key not in found:
            continue
        (same if found[key] == expected else differ).append(
            key if found[key] == expected else f"{key}: {found[key]!r} here, {expected!r} in the reference"
        )
    return same, differ
