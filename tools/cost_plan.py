"""What a config will cost before it is submitted: tokens and GPU-hours per rule group, per engine.

    python tools/cost_plan.py config/paper.yaml                 # published pair counts
    python tools/cost_plan.py config/paper.yaml --data results/paper/data   # the adapted data's

Config files layer on config/config.yaml as Snakemake's --configfile does. Exits 0; warnings name each job
whose estimate exceeds its cluster.runtime_min. The figures are estimates (egt.cost_plan).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from egt.config import load_config  # noqa: E402
from egt.cost_plan import plan, render  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configfiles", nargs="+", type=Path, help="config files, layered in order")
    parser.add_argument("--data", type=Path, help="a run's adapted data folder (results/<run>/data)")
    args = parser.parse_args()
    config = load_config(*args.configfiles)
    if config["data"]["source"] != "hub":
        sys.exit("the cost plan is for GPU runs of real sources (data.source: hub, e.g. config/paper.yaml)")
    print(f"cost plan of run {config['run']!r} (estimates; throughputs: cost.throughput)\n")
    print(render(plan(config, args.data)), end="")


if __name__ == "__main__":
    main()
