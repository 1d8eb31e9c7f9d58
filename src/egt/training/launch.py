"""Training in one process, or across several through ``accelerate launch``.

A rule's script calls :func:`run_training`. With one process it trains in place; with more it
writes the job's inputs to a folder and runs ``accelerate launch -m egt.training.launch`` with as many
processes as the job has GPUs (or ``train.cpu_processes`` on CPU, which is how the launcher is
tested here), optionally with an accelerate config (DeepSpeed ZeRO-3, FSDP: ``envs/accelerate``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl


def _runner(kind: str):
    if kind == "sft":
        from egt.training.sft import run_sft

        return run_sft
    from egt.training.grpo import run_grpo_stage

    return run_grpo_stage


def run_training(
    kind: str,
    pairs: pl.DataFrame,
    kwargs: dict,
    processes: int,
    accelerate_config: str | None = None,
    repo: str | Path = ".",
) -> list[dict]:
    """Run SFT (kind "sft") or one GRPO stage (kind "grpo"); returns the trainer's log history.

    A relative ``accelerate_config`` is looked up in the working directory, then in ``repo``.
    """
    if processes <= 1:
        return _runner(kind)(pairs=pairs, **kwargs)
    work = Path(kwargs["checkpoint_dir"]).parent
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix=".launch-") as tmp:
        spec = {
            "kind": kind,
            "kwargs": kwargs,
            "pairs": str(Path(tmp) / "pairs.parquet"),
            "history": str(Path(tmp) / "history.json"),
        }
        pairs.write_parquet(spec["pairs"])
        (Path(tmp) / "spec.json").write_text(json.dumps(spec))
        command = [
            sys.executable,
            "-m",
            "accelerate.commands.launch",
            "--num_processes",
            str(processes),
            "--num_machines",
            "1",
        ]
        if accelerate_config:
            found = Path(accelerate_config)
            if not found.is_absolute() and not found.exists():
                found = Path(repo) / accelerate_config
            command += ["--config_file", str(found)]
        else:
            command += ["--mixed_precision", "no", "--dynamo_backend", "no"]
        if kwargs.get("use_cpu"):
            command.append("--cpu")
        command += ["-m", "egt.training.launch", str(Path(tmp) / "spec.json")]
        print(f"launching {processes} processes: {' '.join(command)}", flush=True)
        subprocess.run(command, check=True)
        return json.loads(Path(spec["history"]).read_text())


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    history = _runner(spec["kind"])(pairs=pl.read_parquet(spec["pairs"]), **spec["kwargs"])
    if os.environ.get("RANK", "0") == "0":
        Path(spec["history"]).write_text(json.dumps(history))


if __name__ == "__main__":
    main(sys.argv[1])
