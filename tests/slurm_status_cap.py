"""``python tests/slurm_status_cap.py <snakemake arguments>``: Snakemake with the Slurm plugin's status
back-off capped, for the rehearsal on the one-node test Slurm.

snakemake-executor-plugin-slurm 2.8.0 (``Executor.check_active_jobs``) waits 10 s longer after every
status check in which no job finished (up to 180 s), which spares a shared cluster's accounting
database. The test cluster answers sacct in milliseconds, and there the back-off left each job of the
rehearsal's serial chain (SFT, three GRPO stages, ...) finished but unnoticed for up to half its own
run time: 26 s after a 41 s GRPO stage, measured. Everything else is the real plugin against the real
Slurm; only the wait between two status checks is capped (``EGT_SLURM_STATUS_CAP_S``, default 3 s).
"""

import os
import sys

from snakemake.cli import main
from snakemake_executor_plugin_slurm import Executor

CAP_S = float(os.environ.get("EGT_SLURM_STATUS_CAP_S", "3"))
_plain = Executor.next_seconds_between_status_checks


def _capped(self, value):
    _plain.fset(self, None if value is None else min(value, CAP_S))


Executor.next_seconds_between_status_checks = _plain.setter(_capped)

if __name__ == "__main__":
    sys.argv[0] = "snakemake"
    sys.exit(main())
