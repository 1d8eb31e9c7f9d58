"""Every source the Slurm rehearsal reads, as replicas of their published layouts (tools/make_replicas.py).

A Hub mirror (``<out>/hub/<org>/<name>``, config ``data.hub_mirror``) of the Hub sources and local folders
(``<out>/local/<name>``) for the rest: R1-Reward-RL and the phase-1 candidates (egt.data.replicas), and
every registered benchmark at its ``rehearsal_size``, where it is published (egt.benchmarks).
"""

from __future__ import annotations

from pathlib import Path

from egt.benchmarks import BENCHMARKS
from egt.data import replicas


def rehearsal_sources(out: Path, real: dict, sizes: dict | None = None) -> dict:
    """Write them under ``out`` from real records (``{"vl_rewardbench": [...], "mm_rlhf_rewardbench": [...]}``);
    ``sizes`` overrides pair counts by source name. Returns each source's folder."""
    sizes = {
        "r1_reward_rl": 30,
        "sft_candidates": 24,
        **{n: b.rehearsal_size for n, b in BENCHMARKS.items()},
        **(sizes or {}),
    }
    texts = replicas.texts_from(real["mm_rlhf_rewardbench"])
    paths = {
        "r1_reward_rl": replicas.r1_reward_rl(out / "hub/yifanzhang114/R1-Reward-RL", texts, sizes["r1_reward_rl"]),
        "sft_candidates": replicas.sft_candidates(out / "local/sft_candidates", texts, sizes["sft_candidates"]),
    }
    for name, benchmark in BENCHMARKS.items():
        folder = out / "hub" / benchmark.hub_repo if benchmark.hub_repo else out / "local" / name
        paths[name] = benchmark.replica(folder, real, sizes[name])
    return {name: str(path) for name, path in paths.items()}
