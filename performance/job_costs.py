"""Per-job wall time and peak memory of a finished run, from results/<run>/benchmarks/.

    python performance/job_costs.py [results/<run>/benchmarks]

Sums of job wall times exceed the run's wall time where jobs ran in parallel (rollout shards).
"""

import sys

from egt.analysis.job_costs import collect_job_costs, job_costs_markdown

print(job_costs_markdown(collect_job_costs(sys.argv[1] if len(sys.argv) > 1 else "results/toy/benchmarks")))
