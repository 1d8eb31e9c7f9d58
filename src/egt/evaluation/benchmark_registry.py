"""Benchmarks by name: one registration holds what egt knows of a benchmark.

A benchmark is its reader (the :class:`~egt.data.adapters.Adapter` of its published layout, in
egt.data.benchmarks), its authors' scorer and the headline of their paper table (egt.evaluation.official),
and its official categories. A dataset of the config is scored by the benchmark its ``adapter`` names;
any other dataset (the toy world's, a validation set) in R1-Reward's setting, accuracy only. The paper
config and the Slurm rehearsal's expected benchmarks are checked against this registry, the config schema's
adapter list and docs/data.md's table against egt.data.registry (tests/test_benchmarks.py, tests/test_slurm.py).
Adding a benchmark: docs/extending.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from egt.data import benchmarks as layouts
from egt.data import replicas
from egt.data.adapters import Adapter
from egt.evaluation import official


@dataclass(frozen=True)
class Benchmark:
    adapter: Adapter  # reads the published layout into pairs (category and group columns filled)
    score: Callable[[pl.DataFrame], dict]  # the authors' scorer over the preferred-first judgments
    headline: Callable[[dict], str]  # the numbers the benchmark's paper table reports, from ``score``'s dict
    categories: tuple[str, ...]  # every category the adapter may write (its official split)
    # writes a replica of the published layout into a folder from real records ({"vl_rewardbench": [...],
    # "mm_rlhf_rewardbench": [...]}, as ../shared/benchmarks holds them) and returns the folder
    replica: Callable[[Path, dict], Path]

    @property
    def name(self) -> str:
        return self.adapter.name


BENCHMARKS: dict[str, Benchmark] = {}


def register(benchmark: Benchmark) -> Benchmark:
    BENCHMARKS[benchmark.name] = benchmark
    return benchmark


register(
    Benchmark(
        layouts.VL_REWARDBENCH,
        official.score_vl_rewardbench,
        official.vl_rewardbench_headline,
        ("general", "hallucination", "reasoning"),
        lambda out, real: replicas.vl_rewardbench(out, real["vl_rewardbench"]),
    )
)
register(
    Benchmark(
        layouts.MM_RLHF_REWARDBENCH,
        official.score_mm_rlhf_rewardbench,
        official.mm_rlhf_rewardbench_headline,
        (*layouts.MM_RLHF_CATEGORIES, "other"),
        lambda out, real: replicas.mm_rlhf_rewardbench(out, real["mm_rlhf_rewardbench"]),
    )
)
register(
    Benchmark(
        layouts.MULTIMODAL_REWARDBENCH,
        official.score_multimodal_rewardbench,
        official.multimodal_rewardbench_headline,
        tuple(category for columns in official.MMRB_PAPER_COLUMNS.values() for category in columns),
        # no record of it ships in ../shared: real prompts and responses of MM-RLHF-RewardBench in its layout
        lambda out, real: replicas.multimodal_rewardbench(out, replicas.texts_from(real["mm_rlhf_rewardbench"])),
    )
)


def official_metrics(judgments: pl.DataFrame, pairs: pl.DataFrame, scorer: str) -> dict:
    """The official protocol's metrics for one dataset (``scorer``: its adapter's name, or "toy")."""
    first = official.preferred_first_judgments(judgments, pairs)
    score = BENCHMARKS[scorer].score if scorer in BENCHMARKS else official.score_preferred_first
    return {"scorer": scorer, **score(first)}


def official_headline(metrics: dict) -> str:
    """The numbers a benchmark's paper table reports, under its own scorer."""
    benchmark = BENCHMARKS.get(metrics["scorer"])
    return (benchmark.headline if benchmark else official.preferred_first_headline)(metrics)
