"""Every reader of a published layout, by the name a dataset's config gives it (``data.datasets.*.adapter``).

Training sources (egt.data.sources) and benchmarks (egt.benchmarks, one module each) define their
:class:`Adapter`; this module only collects them, above both, so nothing in the data layer imports a
benchmark. The config schema's ``adapter`` enum must list exactly these names (tests/test_benchmarks.py
checks it).
"""

from __future__ import annotations

from pathlib import Path

from egt.benchmarks import BENCHMARKS
from egt.data.adapters import Adapter
from egt.data.sources import SOURCE_ADAPTERS

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter for adapter in (*SOURCE_ADAPTERS, *(b.adapter for b in BENCHMARKS.values()))
}


def adapter(name: str) -> Adapter:
    if name not in ADAPTERS:
        raise ValueError(f"unknown adapter {name!r}; known: {', '.join(ADAPTERS)}")
    return ADAPTERS[name]


def missing_local_sources(datasets: dict) -> list[str]:
    """One line per local source folder that is not there yet: where, and what to put there."""
    return [
        f"  {spec['path']} ({name}): {adapter(spec['adapter']).expects}"
        for name, spec in datasets.items()
        if "path" in spec and not Path(spec["path"]).is_dir()
    ]


def hub_allow_patterns(spec: dict) -> list[str]:
    """What to download for a Hub source: the configured patterns, else the adapter's published files."""
    if spec.get("allow_patterns"):
        return list(spec["allow_patterns"])
    return list(adapter(spec["adapter"]).allow_patterns)
