"""The trainer arguments SFT and GRPO share, and the batch arithmetic behind them.

Config batch sizes are *global*: what one optimizer step sees across every process of the job.
The per-device batch and the gradient accumulation are derived from the job's process count
(one per GPU), so the same config means the same training on 1 GPU or 8.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

# accelerate's distributed types that keep fp32 master weights of their own (the job's "backend").
SHARDED_BACKENDS = {"deepspeed", "fsdp"}


@dataclass(frozen=True)
class Batch:
    global_size: int
    processes: int
    per_device: int
    accumulation: int

    def describe(self) -> str:
        return (
            f"global batch {self.global_size} = {self.processes} process(es) x {self.per_device} per device "
            f"x {self.accumulation} accumulation step(s)"
        )


def derive_batch(global_size: int, processes: int, max_per_device: int | None = None) -> Batch:
    """Split a global batch over ``processes``; at most ``max_per_device`` items per micro-batch."""
    if global_size % processes:
        raise ValueError(f"a global batch of {global_size} does not split over {processes} processes")
    per_process = global_size // processes
    cap = min(max_per_device or per_process, per_process)
    per_device = max(d for d in range(1, cap + 1) if per_process % d == 0)
    return Batch(global_size, processes, per_device, per_process // per_device)


def checkpointing_field() -> str:
    """The TrainingArguments field that turns activation checkpointing on: ``activation_checkpointing``
    since transformers 5.24 (which mirrors it into the older name), ``gradient_checkpointing`` before
    (a GPU host's transformers 5.17 refuses the new name; seen with tools/gpu_smoke.py)."""
    import dataclasses

    from transformers import TrainingArguments

    names = {f.name for f in dataclasses.fields(TrainingArguments)}
    return "activation_checkpointing" if "activation_checkpointing" in names else "gradient_checkpointing"


def shared_trainer_args(job: dict, max_steps: int, batch: Batch) -> dict:
    """Keyword arguments of ``trl.SFTConfig`` and ``trl.GRPOConfig`` that mean the same in both.

    ``job`` is what a rule passes to training (see ``egt.training.launch``): the config section
    (``params``), seed, device, checkpoint folder and interval, precision and memory settings.
    """
    params = job["params"]
    return {
        "output_dir": str(job["checkpoint_dir"]),
        "max_steps": max_steps,
        "per_device_train_batch_size": batch.per_device,
        "gradient_accumulation_steps": batch.accumulation,
        "learning_rate": params["learning_rate"],
        "lr_scheduler_type": params.get("lr_scheduler_type", "constant"),
        "warmup_steps": params.get("warmup_steps", 0),
        "weight_decay": params.get("weight_decay", 0.0),
        "logging_steps": params.get("logging_steps", 10),
        "save_strategy": "steps",
        "save_steps": job["save_steps"],
        "save_total_limit": 1,
        "seed": job["seed"],
        "data_seed": job["seed"],
        "use_cpu": job["device"] == "cpu",
        "bf16": job.get("bf16", False),
        checkpointing_field(): job.get("gradient_checkpointing", False),
        "report_to": job.get("report_to", "none"),  # TensorBoard's folder: egt.training.launch.run_training
        "dataloader_num_workers": 0,
    }


def master_dtype(job: dict) -> torch.dtype | str:
    """The dtype a training job loads its weights in.

    ZeRO-3 keeps fp32 master weights and FSDP upcasts its shards, so they load the checkpoint as
    saved (``"auto"``: bf16 for Qwen2.5-VL). Otherwise (one process, or DDP) the optimizer updates the
    loaded weights themselves, and bf16 weights would lose GRPO's 1e-6 updates (bf16 resolves about
    3 significant digits): such jobs load fp32, and ``bf16`` autocasts the forward pass.
    """
    return "auto" if job.get("backend") in SHARDED_BACKENDS else torch.float32


def load_trainable_model(path: str, job: dict):
    from egt.modeling import load_model
    from egt.numerics import log_line

    if os.environ.get("RANK", "0") == "0":  # the training process's numeric environment, into the job's log
        print(log_line(), flush=True)
    return load_model(path, job["trust_remote_code"], dtype=master_dtype(job))
