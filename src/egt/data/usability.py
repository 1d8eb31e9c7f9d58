"""A dataset that cannot be used stops the run, before any training.

An adapter skips records it cannot read and validation quarantines malformed rows, each with a
reason. That is right for a few records and wrong for most of them: a format variant the adapter
does not expect (say, every R1-Reward-RL ``answer`` written another way) would otherwise become an
empty or tiny pairs table that the pipeline trains and reports on without a word. Each step
therefore checks what it kept against ``data.max_skipped_fraction`` (per role) and stops with the
counts and the most frequent reasons. A failed Snakemake job loses its outputs, so the left-out
rows are first written beside the job's log, where they survive.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

ROLES = ("pool", "sft", "benchmark", "validation")


class UnusableDataset(ValueError):
    pass


def role(dataset: str) -> str:
    """pool, sft (sft and sft_candidates), benchmark or validation, from a dataset's name."""
    if dataset.startswith("sft"):
        return "sft"
    return next((r for r in ROLES if dataset == r or dataset.startswith(f"{r}_")), dataset)


def unusable_reason(dataset: str, step: str, rows_in: int, reasons: dict[str, int], max_fraction: float) -> str | None:
    """Why ``dataset``, as ``step`` (``adapted``, ``validated``) left it, cannot be used, or None when it can:
    it kept no row, or left out more than ``max_fraction`` of its ``rows_in`` rows (``reasons``
    counts the left-out rows by reason)."""
    left_out = sum(reasons.values())
    kept = rows_in - left_out
    if kept > 0 and left_out <= max_fraction * rows_in:
        return None
    worst = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:3]
    listed = "; ".join(f"{count} x {reason}" for reason, count in worst) or "none given"
    share = left_out / rows_in if rows_in else 1.0
    why = (
        "no usable row is left"
        if kept <= 0
        else f"more than data.max_skipped_fraction.{role(dataset)} = {max_fraction:g}"
    )
    return (
        f"{dataset}: {step} {rows_in} records, kept {kept}, left out {left_out} ({share:.0%}): {why}. "
        f"Most frequent reasons: {listed}. Nothing was trained; fix the source (or its adapter) and rerun."
    )


def check_usable(
    dataset: str,
    step: str,
    rows_in: int,
    reasons: dict[str, int],
    max_fraction: float,
    rejected: pl.DataFrame | None = None,
    keep_rejected_at: str | Path | None = None,
) -> None:
    """Raise :class:`UnusableDataset` when the dataset cannot be used (:func:`unusable_reason`); the
    ``rejected`` rows (with their reasons) are first written to ``keep_rejected_at``."""
    why = unusable_reason(dataset, step, rows_in, reasons, max_fraction)
    if why is None:
        return
    if rejected is not None and keep_rejected_at is not None:
        Path(keep_rejected_at).parent.mkdir(parents=True, exist_ok=True)
        rejected.write_parquet(keep_rejected_at)
        why += f" Every left-out row, with its reason: {keep_rejected_at}"
    raise UnusableDataset(why)
