"""Training in one process, or across several through ``accelerate launch``.

A rule's script calls :func:`run_training` with the rule's ``job`` (see ``workflow/common.smk``,
``training_job``): the config section, seed, device, checkpoint folder, precision settings and the
number of processes. With one process it trains in place; with more it writes the job's inputs to
a folder and runs ``accelerate launch -m egt.training.launch`` with as many processes as the job
has GPUs (or ``train.cpu_processes`` on CPU, which is how the launcher is tested here), optionally
with an accelerate config (DeepSpeed ZeRO-3, FSDP: ``envs/accelerate``; the rehearsal runs ZeRO-3 on
CPUs).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import yaml

import egt


def _runner(kind: str):
    if kind == "sft":
        from egt.training.sft import run_sft

        return run_sft
    from egt.training.grpo import run_grpo_stage

    return run_grpo_stage


def accelerate_backend(config_file: str | Path | None, processes: int) -> str:
    """What keeps the job's weights: "deepspeed" or "fsdp" (from the accelerate config's
    ``distributed_type``), "ddp" (several processes, no config) or "none" (one process)."""
    if config_file:
        distributed = yaml.safe_load(Path(config_file).read_text()).get("distributed_type", "NO")
        return {"DEEPSPEED": "deepspeed", "FSDP": "fsdp"}.get(distributed, "ddp" if processes > 1 else "none")
    return "ddp" if processes > 1 else "none"


def resolve_job(job: dict, repo: str | Path = ".") -> dict:
    """The job with its accelerate config as an absolute path and the backend it implies.

    A relative ``job["accelerate_config"]`` is looked up in the working directory, then in ``repo``.
    """
    found = None
    if job.get("accelerate_config"):
        found = Path(job["accelerate_config"])
        if not found.is_absolute() and not found.exists():
            found = Path(repo) / found
        if not found.is_file():
            raise FileNotFoundError(f"train.accelerate_config: no file {job['accelerate_config']} (looked in {repo})")
        found = found.resolve()
    backend = accelerate_backend(found, job["processes"])
    return {**job, "accelerate_config": str(found) if found else None, "backend": backend}


def launch_command(job: dict, spec_file: str | Path) -> list[str]:
    """``accelerate launch`` for a resolved job: its process count, and its accelerate config or
    plain DDP settings. ``--cpu`` only without a config file: accelerate's ``--cpu`` skips the
    DeepSpeed and FSDP launchers (accelerate 1.15 commands/launch.py:1393-1402), so a config's
    backend would silently become plain DDP; on a machine without CUDA those backends run on the
    CPU by themselves (DeepSpeed through its CPU accelerator over gloo)."""
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(job["processes"])]
    command += ["--num_machines", "1"]
    if job["accelerate_config"]:
        command += ["--config_file", job["accelerate_config"]]
    else:
        command += ["--mixed_precision", "bf16" if job.get("bf16") else "no", "--dynamo_backend", "no"]
        if job["device"] == "cpu":
            command.append("--cpu")
    return command + ["-m", "egt.training.launch", str(spec_file)]


# train.report_to -> the package its TRL callback needs (tensorboard is pinned in the cluster envs;
# wandb is not: it needs its own account and login, so it is installed by whoever uses it)
REPORTERS = {"none": None, "tensorboard": "tensorboard", "wandb": "wandb"}


def check_reporter(report_to: str) -> None:
    """Fail before training, by the config key, when the chosen reporter's package is missing."""
    package = REPORTERS[report_to]
    if package is not None and importlib.util.find_spec(package) is None:
        raise RuntimeError(
            f"train.report_to: {report_to} needs the {package} package in this job's environment "
            f"(pip install {package}), or set train.report_to: none"
        )


def run_training(
    kind: str, pairs: pl.DataFrame, init_model: str, out_dir: str, job: dict, repo: str | Path = "."
) -> list[dict]:
    """Run SFT (kind "sft") or one GRPO stage (kind "grpo"); returns the trainer's log history.

    One process without an accelerate config trains in place; otherwise the job is launched
    through ``accelerate launch`` (with a config, even for one process: ZeRO-3 on one GPU is
    still ZeRO-3).
    """
    job = resolve_job(job, repo)
    check_reporter(job.get("report_to", "none"))
    if job.get("report_to") == "tensorboard":
        # transformers 5.24 reads TensorBoard's folder from the environment only (TrainingArguments has no
        # logging_dir any more: integrations/integration_utils.py:602); launched processes inherit it
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(Path(job["tensorboard_dir"]).resolve())
    if job["processes"] <= 1 and not job["accelerate_config"]:
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
        command = launch_command(job, Path(tmp) / "spec.json")
        print(f"launching {job['processes']} processes ({job['backend']}): {' '.join(command)}", flush=True)
        # the launched processes import egt from wherever this process found it (a rule's conda
        # env has only the dependencies; scripts/egt is on the path of the rule's script alone)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(Path(egt.__file__).parent.parent), env.get("PYTHONPATH")])
        )
        subprocess.run(command, check=True, env=env)
        return json.loads(Path(spec["history"]).read_text())


def main(spec_path: str) -> None:
    import atexit

    from egt.io import report_gpu_memory

    atexit.register(report_gpu_memory)  # each rank's peak, into the rule's log (tools/gpu-check.sh)
    spec = json.loads(Path(spec_path).read_text())
    pairs = pl.read_parquet(spec["pairs"])
    history = _runner(spec["kind"])(spec["init_model"], pairs, spec["out_dir"], spec["job"])
    if os.environ.get("RANK", "0") == "0":
        Path(spec["history"]).write_text(json.dumps(history))
    # Torn down here rather than at interpreter exit, where a rank once aborted ("terminate called
    # without an active exception") after its work was saved (CI of db3e35c, ZeRO-3 on CPU over gloo).
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
