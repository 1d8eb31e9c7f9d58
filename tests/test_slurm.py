"""The smoke preset end to end through a real single-node Slurm (tools/slurm.sh), as root only."""

import os
import re
import subprocess

import pytest
import yaml
from conftest import REPO, snakemake

pytestmark = pytest.mark.pipeline
SMOKE = str(REPO / "config/smoke.yaml")
# The user-facing profile, with what a cluster without accounting needs on top.
SLURM = [
    "--profile", str(REPO / "slurm"),
    "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "2",
    "--default-resources", "slurm_partition=main", "mem_mb=1000", "runtime=10",
    "--jobs", "4",
]  # fmt: skip


@pytest.fixture(scope="module")
def slurm_cluster():
    if os.geteuid() != 0:
        pytest.skip("a test Slurm can only be started as root (tools/slurm.sh up)")
    started = subprocess.run([str(REPO / "tools/slurm.sh"), "up"], capture_output=True, text=True)
    if started.returncode != 0:
        pytest.skip(f"Slurm could not be started here: {started.stderr[-500:]}")


def result_files(workdir):
    root = workdir / "results/smoke"
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] not in ("logs", "benchmarks", "checkpoints")
    }


def test_pipeline_runs_through_slurm(slurm_cluster, smoke_run, tmp_path):
    override = tmp_path / "gpus.yaml"
    override.write_text(yaml.safe_dump({"cluster": {"gpus": {"sft": 1, "rollout": 1, "grpo": 1, "evaluate": 1}}}))
    workdir = tmp_path / "run"
    first = snakemake(*SLURM, "--configfile", SMOKE, str(override), workdir=workdir, timeout=1800)
    output = first.stdout + first.stderr
    submitted = re.findall(r"SLURM jobid (\d+)", output)
    jobs = int(re.search(r"^total\s+(\d+)", output, re.M)[1])
    assert len(submitted) == jobs - 1  # every job but the local `all` went through Slurm
    # each job's log header says where it ran: GPU rules got a GPU from Slurm, others did not
    sft = (workdir / "results/smoke/logs/sft/sft.log").read_text().splitlines()[0]
    data = (workdir / "results/smoke/logs/data/toy_world.log").read_text().splitlines()[0]
    assert "SLURM_JOB_ID" in sft and "'CUDA_VISIBLE_DEVICES': '0'" in sft
    assert "SLURM_JOB_ID" in data and "CUDA_VISIBLE_DEVICES" not in data
    assert result_files(workdir) == result_files(smoke_run)

    second = snakemake(*SLURM, "--configfile", SMOKE, str(override), workdir=workdir, timeout=600)
    assert "Nothing to be done" in second.stdout + second.stderr
    assert "SLURM jobid" not in second.stdout + second.stderr
