"""The paper's sharded backend on CPUs: DeepSpeed ZeRO-3 (envs/accelerate/zero3.yaml, bf16, two
processes over gloo) trains SFT from the Hub-layout replica, is killed while a checkpoint is being
written, and the rerun resumes from the last complete checkpoint (issue 19)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest
from conftest import REPO

from egt.training import checkpoints

pytestmark = pytest.mark.pipeline
pytest.importorskip("deepspeed")

TRAIN = """
import json, sys
import polars as pl
from egt.training.launch import run_training
spec = json.loads(open(sys.argv[1]).read())
pairs = pl.read_parquet(spec["pairs"])
history = run_training("sft", pairs, spec["model"], spec["out"], spec["job"], repo=spec["repo"])
print("steps", max(h["step"] for h in history))
"""


def test_zero3_sft_killed_mid_save_resumes_from_the_last_complete_checkpoint(hub_replica_dir, tiny_pairs, tmp_path):
    from egt.data.toyworld import generate_split

    pairs, _ = generate_split("sft", 16, seed=0, image_size=56, max_ambiguity=0.5, noise=None)
    pairs.write_parquet(tmp_path / "pairs.parquet")
    job = {
        "params": {"batch_size": 4, "per_device_batch_size": 2, "max_steps": 8, "learning_rate": 1e-3},
        "seed": 0,
        "device": "cpu",
        "checkpoint_dir": str(tmp_path / "checkpoints"),
        "save_steps": 2,
        "bf16": True,
        "gradient_checkpointing": True,
        "trust_remote_code": False,
        "template": "egt",
        "pixels": {},
        "processes": 2,
        "accelerate_config": "envs/accelerate/zero3.yaml",
    }
    spec = {"pairs": str(tmp_path / "pairs.parquet"), "model": str(hub_replica_dir), "out": str(tmp_path / "model")}
    (tmp_path / "spec.json").write_text(json.dumps({**spec, "job": job, "repo": str(REPO)}))
    (tmp_path / "train.py").write_text(textwrap.dedent(TRAIN))
    command = [sys.executable, str(tmp_path / "train.py"), str(tmp_path / "spec.json")]
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    # 1. killed (with both ranks) once checkpoint-2 is complete
    first = tmp_path / "checkpoints/checkpoint-2"
    job_process = subprocess.Popen(command, start_new_session=True, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.time() + 400
    try:
        while not checkpoints.is_complete(first):
            assert time.time() < deadline and job_process.poll() is None, "training ended before its first checkpoint"
            time.sleep(0.05)
    finally:  # torch's elastic agent starts each rank in a session of its own: kill the whole tree
        tree = psutil.Process(job_process.pid)
        family = [tree, *tree.children(recursive=True)]
        for process in family:
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        job_process.wait()
        psutil.wait_procs(family, timeout=30)
    saved = sorted(p.name for p in first.iterdir())
    assert any(name.startswith("global_step") for name in saved)  # DeepSpeed's sharded optimizer state
    # what a kill during the next save leaves: the weights and part of the optimizer state, no trainer state
    partial = tmp_path / "checkpoints/checkpoint-4"
    if not partial.exists() or checkpoints.is_complete(partial):
        import shutil

        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(first, partial)
        (partial / checkpoints.STATE_FILE).unlink()
        for shard in partial.rglob("*optim_states.pt"):
            shard.write_bytes(shard.read_bytes()[:100])
    assert checkpoints.last_complete_checkpoint(tmp_path / "checkpoints").endswith("checkpoint-2")

    # 2. the rerun drops the half-written checkpoint, resumes from step 2 and finishes
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    log = rerun.stdout + rerun.stderr
    (tmp_path / "rerun.log").write_text(log)
    assert rerun.returncode == 0, log[-3000:]
    assert "removed checkpoint-4: its save was interrupted" in log
    assert "resuming SFTTrainer from" in log and "checkpoint-2 (step 2)" in log
    assert "steps 8" in log and "backend deepspeed" in log
    assert (tmp_path / "model/model.safetensors").exists() and not (tmp_path / "checkpoints").exists()
