"""Kills, reruns and determinism of the real pipeline (smoke preset)."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake

pytestmark = pytest.mark.pipeline
SMOKE = str(REPO / "config/smoke.yaml")


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(workdir, target, *args):
    """snakemake in its own process group, so a test can SIGKILL it with its jobs."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir)]
    # targets first: --configfile takes every path that follows it
    command += [target, *args]
    return subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_when(job, ready, timeout=600):
    deadline = time.time() + timeout
    try:
        while not ready():
            assert time.time() < deadline and job.poll() is None, "the job ended before the moment to kill it"
            time.sleep(0.1)
    finally:
        os.killpg(job.pid, signal.SIGKILL)  # snakemake and the job it runs
        job.wait()


def rollout_jobs_finished(workdir) -> int:
    """Rollout jobs Snakemake itself has recorded as finished (not just their file written)."""
    logs = sorted((workdir / ".snakemake/log").glob("*.snakemake.log"))
    return logs[-1].read_text().count("(Rule: rollout)") if logs else 0


def test_killed_jobs_resume_where_they_stopped(tmp_path):
    smoke = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    override = tmp_path / "resume.yaml"
    override.write_text(yaml.safe_dump({"train": {"save_steps": 10}, "sft": {**smoke["sft"], "max_steps": 80}}))
    workdir, configs = tmp_path / "run", ["--configfile", SMOKE, str(override)]

    # 1. SFT killed after a checkpoint: the rerun resumes from it and finishes.
    checkpoints = workdir / "results/checkpoints/sft"
    job = start(workdir, "results/sft/model", "--cores", "2", *configs)
    kill_when(job, lambda: list(checkpoints.glob("checkpoint-*/trainer_state.json")))
    assert not (workdir / "results/sft/log_history.json").exists()
    # what the README says to do after a kill
    snakemake("--unlock", *configs, workdir=workdir)
    snakemake("results/sft/model", "--rerun-incomplete", "--cores", "2", *configs, workdir=workdir)
    log = (workdir / "results/logs/sft/sft.log").read_text()
    resumed = [line for line in log.splitlines() if line.startswith("resuming SFT from")]
    assert resumed, log[-2000:]
    step = int(resumed[0].split("(step ")[1].rstrip(")"))
    assert step > 0
    history = json.loads((workdir / "results/sft/log_history.json").read_text())
    logged_steps = [h["step"] for h in history if "loss" in h]
    assert min(logged_steps) <= step  # the trainer's lines logged before the kill are kept
    assert max(h["step"] for h in history) == 80  # and training finished
    assert not checkpoints.exists()  # cleared once the model is saved

    # 2. Rollouts killed after one shard finished: the rerun redoes the other shard only.
    shards = workdir / "results/rollouts"
    job = start(workdir, "results/entropy/pair_entropy.parquet", "--cores", "1", *configs)
    kill_when(job, lambda: rollout_jobs_finished(workdir) >= 1)
    (done,) = list(shards.glob("shard_*.parquet"))
    first = done.stat().st_mtime_ns
    snakemake("--unlock", *configs, workdir=workdir)
    dry = snakemake("results/entropy/pair_entropy.parquet", "--rerun-incomplete", "-n", *configs, workdir=workdir)
    assert jobs_planned(dry.stdout + dry.stderr)["rollout"] == 1
    snakemake("results/entropy/pair_entropy.parquet", "--rerun-incomplete", "--cores", "2", *configs, workdir=workdir)
    assert done.stat().st_mtime_ns == first
    assert len(list(shards.glob("shard_*.parquet"))) == 2


def test_same_config_and_seed_give_identical_files(smoke_run, tmp_path):
    """A second run into another folder, up to the curriculum: byte-identical hand-offs."""
    snakemake("results/curriculum/stages.parquet", "--cores", "2", "--configfile", SMOKE, workdir=tmp_path)
    files = [
        "data/pool.parquet",
        "data/pool_hidden.parquet",
        "data/sft.parquet",
        "data/benchmark_toy.parquet",
        "rollouts/shard_0.parquet",
        "rollouts/shard_1.parquet",
        "entropy/pair_entropy.parquet",
        "entropy/entropy_bins.parquet",
        "curation/kept.parquet",
        "curation/dropped.parquet",
        "curriculum/stages.parquet",
    ]
    different = [f for f in files if sha256(smoke_run / "results" / f) != sha256(tmp_path / "results" / f)]
    assert not different


def test_training_across_two_processes_through_accelerate(tmp_path):
    """The multi-GPU launch path (accelerate launch, one process per GPU), exercised on CPU."""
    from egt.modeling import load_model, load_processor

    override = tmp_path / "processes.yaml"
    override.write_text(yaml.safe_dump({"train": {"cpu_processes": 2}}))
    workdir = tmp_path / "run"
    snakemake("results/grpo/stage_1/model", "--cores", "2", "--configfile", SMOKE, str(override), workdir=workdir)
    for log, model in (("sft/sft.log", "sft/model"), ("grpo/stage_1.log", "grpo/stage_1/model")):
        text = (workdir / "results/logs" / log).read_text()
        assert "launching 2 processes" in text and "accelerate.commands.launch" in text
        path = workdir / "results" / model
        assert not (path / "training_args.bin").exists()  # no pickle beside the weights
        load_model(str(path)), load_processor(str(path))
    history = json.loads((workdir / "results/sft/log_history.json").read_text())
    assert history[-1]["step"] == yaml.safe_load((REPO / "config/smoke.yaml").read_text())["sft"]["max_steps"]
