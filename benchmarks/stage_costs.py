"""Per-stage wall time and peak memory of a finished run, from results/benchmarks/.

    python benchmarks/stage_costs.py [results/benchmarks]

Sums of job wall times exceed the run's wall time where jobs ran in parallel (rollout shards).
"""

import sys

from egt.analysis.stage_costs import collect_stage_costs, stage_costs_markdown

print(stage_costs_markdown(collect_stage_costs(sys.argv[1] if len(sys.argv) > 1 else "results/benchmarks")))
