"""Real kills (SIGKILL), reruns and determinism of the pipeline (smoke preset)."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import polars as pl
import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake

pytestmark = pytest.mark.pipeline
SMOKE = str(REPO / "config/smoke.yaml")
RESULTS = "results/smoke"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(command, **kwargs):
    """A process in its own group, so a test can SIGKILL it with everything it started."""
    return subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs
    )


def start_snakemake(workdir, target, *args):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir)]
    return start(command + [target, *args])  # targets first: --configfile takes every path that follows it


def kill_when(job, ready, timeout=600):
    deadline = time.time() + timeout
    try:
        while not ready():
            assert time.time() < deadline and job.poll() is None, "the job ended before the moment to kill it"
            time.sleep(0.05)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()


def rollout_jobs_finished(workdir) -> int:
    """Rollout jobs Snakemake itself has recorded as finished (not just their file written)."""
    logs = sorted((workdir / ".snakemake/log").glob("*.snakemake.log"))
    return logs[-1].read_text().count("(Rule: rollout)") if logs else 0


def resumed_at(log_text: str, trainer: str) -> int:
    lines = [line for line in log_text.splitlines() if line.startswith(f"resuming {trainer} from")]
    assert lines, log_text[-2000:]
    return int(lines[-1].split("(step ")[1].rstrip(")"))


def test_killed_jobs_resume_exactly_where_they_stopped(smoke_run, tmp_path):
    """SFT, a rollout shard and a GRPO stage are each killed mid-way and rerun as the README says;
    the resumed SFT model is the same as an uninterrupted one, so everything downstream is too."""
    override = tmp_path / "resume.yaml"
    override.write_text(yaml.safe_dump({"train": {"save_steps": 10}, "grpo": {"steps_per_stage": 20}}))
    workdir, configs = tmp_path / "run", ["--configfile", SMOKE, str(override)]

    # 1. SFT killed after its first checkpoint: the rerun resumes from it and finishes.
    checkpoints = workdir / RESULTS / "checkpoints/sft/model"
    job = start_snakemake(workdir, f"{RESULTS}/sft/model", "--cores", "2", *configs)
    kill_when(job, lambda: list(checkpoints.glob("checkpoint-*/trainer_state.json")))
    assert not (workdir / RESULTS / "sft/log_history.json").exists()
    snakemake("--unlock", *configs, workdir=workdir)  # what the README says to do after a kill
    snakemake(f"{RESULTS}/sft/model", "--rerun-incomplete", "--cores", "2", *configs, workdir=workdir)
    step = resumed_at((workdir / RESULTS / "logs/sft/sft.log").read_text(), "SFTTrainer")
    history = json.loads((workdir / RESULTS / "sft/log_history.json").read_text())
    assert 0 < step < 40 and min(h["step"] for h in history if "loss" in h) <= step  # earlier lines kept
    assert max(h["step"] for h in history) == 40 and not checkpoints.exists()

    # 2. Rollouts killed after one shard finished: the rerun redoes the other shard only.
    target = f"{RESULTS}/curriculum/stages.parquet"
    job = start_snakemake(workdir, target, "--cores", "1", *configs)
    kill_when(job, lambda: rollout_jobs_finished(workdir) >= 1)
    (done,) = list((workdir / RESULTS / "rollouts").glob("shard_*.parquet"))
    first = done.stat().st_mtime_ns
    snakemake("--unlock", *configs, workdir=workdir)
    dry = snakemake(target, "--rerun-incomplete", "-n", *configs, workdir=workdir)
    assert jobs_planned(dry.stdout + dry.stderr)["rollout"] == 1
    snakemake(target, "--rerun-incomplete", "--cores", "2", *configs, workdir=workdir)
    assert done.stat().st_mtime_ns == first

    # 3. The same config and seed give byte-identical hand-offs, the killed-and-resumed SFT included.
    files = ["data/pool.parquet", "data/pool_hidden.parquet", "data/sft.parquet", "data/benchmark_toy.parquet"]
    files += ["rollouts/shard_0.parquet", "rollouts/shard_1.parquet", "entropy/pair_entropy.parquet"]
    files += ["curation/kept.parquet", "curation/dropped.parquet", "curriculum/stages.parquet"]
    assert [f for f in files if sha256(smoke_run / RESULTS / f) != sha256(workdir / RESULTS / f)] == []

    # 4. A GRPO stage killed after a checkpoint resumes from it.
    checkpoints = workdir / RESULTS / "checkpoints/grpo/stage_1/model"
    job = start_snakemake(workdir, f"{RESULTS}/grpo/stage_1/model", "--cores", "2", *configs)
    kill_when(job, lambda: list(checkpoints.glob("checkpoint-*/trainer_state.json")))
    snakemake("--unlock", *configs, workdir=workdir)
    snakemake(f"{RESULTS}/grpo/stage_1/model", "--rerun-incomplete", "--cores", "2", *configs, workdir=workdir)
    assert resumed_at((workdir / RESULTS / "logs/grpo/stage_1.log").read_text(), "GRPOTrainer") == 10
    history = json.loads((workdir / RESULTS / "grpo/stage_1/log_history.json").read_text())
    assert max(h["step"] for h in history) == 20


EVALUATE = """
import sys, polars as pl
from egt.evaluation.run import evaluate_model
from egt.judging import Judging
scored, metrics = evaluate_model(sys.argv[1], pl.read_parquet(sys.argv[2]), {"max_new_tokens": 24, "batch_size": 2},
                                 seed=0, device="cpu", judging=Judging("egt"), cache_dir=sys.argv[3])
scored.write_parquet(sys.argv[4])
"""


def test_killed_evaluation_continues_from_judged_items(smoke_run, tmp_path):
    model, bench = smoke_run / RESULTS / "sft/model", smoke_run / RESULTS / "data/benchmark_toy.valid.parquet"
    script = tmp_path / "evaluate.py"
    script.write_text(textwrap.dedent(EVALUATE))

    def command(cache, out):
        return [sys.executable, str(script), str(model), str(bench), str(tmp_path / cache), str(tmp_path / out)]

    subprocess.run(command("fresh_cache", "fresh.parquet"), check=True)
    cache = tmp_path / "cache" / "original.jsonl"
    job = start(command("cache", "resumed.parquet"))
    kill_when(job, lambda: cache.exists() and len(cache.read_text().splitlines()) >= 6)
    resumed = subprocess.run(command("cache", "resumed.parquet"), check=True, capture_output=True, text=True)
    already = int(resumed.stdout.split("evaluate (original order): ")[1].split(" pairs already judged")[0])
    assert 6 <= already < 24  # the kill landed mid-way, and the pairs judged before it were not judged again
    assert pl.read_parquet(tmp_path / "resumed.parquet").equals(pl.read_parquet(tmp_path / "fresh.parquet"))
