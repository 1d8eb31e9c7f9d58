"""Training in one process, or across several through ``accelerate launch``.

A rule's script calls :func:`run_training` with the rule's ``job`` (see ``workflow/common.smk``,
``training_job``): the config section, seed, device, checkpoint folder, precision settings and the
number of processes. With one process it trains in place; with more it writes the job's inputs to
a folder and runs ``accelerate launch -m egt.training.launch`` with as many processes as the job
has GPUs (or ``train.cpu_processes`` on CPU, which is how the launcher is tested here), optionally
with an accelerate config (DeepSpeed ZeRO-3, FSDP: ``envs/accelerate``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

import egt


def _runner(kind: str):
    if kind == "sft":
        from egt.training.sft import run_sft

        return run_sft
    from egt.training.grpo import run_grpo_stage

    return run_grpo_stage


def run_training(
    kind: str, pairs: pl.DataFrame, init_model: str, out_dir: str, job: dict, repo: str | Path = "."
) -> list[dict]:
    """Run SFT (kind "sft") or one GRPO stage (kind "grpo"); returns the trainer's log history.

    A relative ``job["accelerate_config"]`` is looked up in the working directory, then in ``repo``.
    """
    processes = job["processes"]
    if processes <= 1:
        return _runner(kind)(init_model, pairs, out_dir, job)
    work = Path(job["checkpoint_dir"]).parent
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix=".launch-") as tmp:
        spec = {
            "kind": kind,
            "init_model": str(init_model),
            "out_dir": str(out_dir),
            "job": job,
            "pairs": str(Path(tmp) / "pairs.parquet"),
            "history": str(Path(tmp) / "history.json"),
        }
        pairs.write_parquet(spec["pairs"])
        (Path(tmp) / "spec.json").write_text(json.dumps(spec))
        command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(processes)]
        command += ["--num_machines", "1"]
        if job.get("accelerate_config"):
            found = Path(job["accelerate_config"])
            if not found.is_absolute() and not found.exists():
                found = Path(repo) / found
            command += ["--config_file", str(found)]
        else:
            command += ["--mixed_precision", "bf16" if job.get("bf16") else "no", "--dynamo_backend", "no"]
        if job["device"] == "cpu":
            command.append("--cpu")
        command += ["-m", "egt.training.launch", str(Path(tmp) / "spec.json")]
        print(f"launching {processes} processes: {' '.join(command)}", flush=True)
        # the launched processes import egt from wherever this process found it (a rule's conda
        # env has only the dependencies; scripts/egt is on the path of the rule's script alone)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(Path(egt.__file__).parent.parent), env.get("PYTHONPATH")])
        )
        subprocess.run(command, check=True, env=env)
        return json.loads(Path(spec["history"]).read_text())


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    pairs = pl.read_parquet(spec["pairs"])
    history = _runner(spec["kind"])(spec["init_model"], pairs, spec["out_dir"], spec["job"])
    if os.environ.get("RANK", "0") == "0":
        Path(spec["history"]).write_text(json.dumps(history))


if __name__ == "__main__":
    main(sys.argv[1])
