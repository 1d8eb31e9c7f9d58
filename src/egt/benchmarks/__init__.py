"""Benchmarks by name: one module per benchmark holds everything egt knows of it.

A benchmark module (``egt/benchmarks/<name>.py``) defines and registers, together: the reader of its
published layout (an :class:`~egt.data.adapters.Adapter`, with the source of each layout fact), its
authors' scorer and the headline of their paper table, its official categories, where it is published,
and a replica builder that writes that layout from real records (tests and the offline rehearsal). A
dataset of the config is scored by the benchmark its ``adapter`` names; any other dataset (the toy
world's, a validation set) in R1-Reward's setting, accuracy only (egt.evaluation.official). The readers'
lookup (egt.readers), the paper config's benchmarks, the Slurm rehearsal's replicas and expected jobs
derive from this registry. Adding a benchmark: docs/extending.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from egt.data.adapters import Adapter
from egt.evaluation import official


@dataclass(frozen=True)
class Benchmark:
    adapter: Adapter  # reads the published layout into pairs (category and group columns filled)
    score: Callable[[pl.DataFrame], dict]  # the authors' scorer over the preferred-first judgments
    headline: Callable[[dict], str]  # the numbers the benchmark's paper table reports, from ``score``'s dict
    categories: tuple[str, ...]  # every category the reader may write (its official split)
    # writes a replica of the published layout into a folder from real records ({"vl_rewardbench": [...],
    # "mm_rlhf_rewardbench": [...]}, as ../shared/benchmarks holds them), of about ``size`` pairs (None:
    # from every record given), and returns the folder
    replica: Callable[[Path, dict, int | None], Path]
    hub_repo: str | None = None  # the Hub dataset it is published as; None: a local folder (its ``expects``)
    rehearsal_size: int = 12  # about how many pairs its replica holds in the Slurm rehearsal

    @property
    def name(self) -> str:
        return self.adapter.name


BENCHMARKS: dict[str, Benchmark] = {}


def register(benchmark: Benchmark) -> Benchmark:
    BENCHMARKS[benchmark.name] = benchmark
    return benchmark


def official_metrics(judgments: pl.DataFrame, pairs: pl.DataFrame, scorer: str) -> dict:
    """The official protocol's metrics for one dataset (``scorer``: its adapter's name, or "toy")."""
    first = official.preferred_first_judgments(judgments, pairs)
    score = BENCHMARKS[scorer].score if scorer in BENCHMARKS else official.score_preferred_first
    return {"scorer": scorer, **score(first)}


def official_headline(metrics: dict) -> str:
    """The numbers a benchmark's paper table reports, under its own scorer."""
    benchmark = BENCHMARKS.get(metrics["scorer"])
    return (benchmark.headline if benchmark else official.preferred_first_headline)(metrics)


# One line per benchmark module: importing it registers it.
from egt.benchmarks import vl_rewardbench, mm_rlhf_rewardbench, multimodal_rewardbench  # noqa: E402, F401, I001
