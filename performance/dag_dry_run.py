"""Snakemake dry-run time for a DAG with many rollout shards (target: 1,000 shards under 30 s).

python performance/dag_dry_run.py [--shards 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        override = Path(tmp) / "shards.yaml"
        # layered on config/config.yaml; the pool must have at least one pair per shard
        override.write_text(
            yaml.safe_dump({"rollout": {"shards": args.shards}, "toy_world": {"pool_size": 100 * args.shards}})
        )
        times, jobs = [], None
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "snakemake",
                    "-n",
                    "--quiet",
                    "rules",
                    "--cores",
                    "2",
                    "--snakefile",
                    str(REPO / "Snakefile"),
                    "--directory",
                    tmp,
                    "--configfile",
                    str(override),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            times.append(time.perf_counter() - start)
            jobs = next((line.split()[-1] for line in result.stdout.splitlines() if line.startswith("total")), "?")
    print(
        f"dry run of the full DAG with {args.shards} rollout shards ({jobs} jobs): "
        f"median {statistics.median(times):.1f} s over {args.repeats} runs (min {min(times):.1f}, max {max(times):.1f})"
    )


if __name__ == "__main__":
    main()
