"""Phase 3: GRPO on one curriculum stage, starting from the previous stage's model."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import torch
from trl import GRPOConfig, GRPOTrainer

from egt.modeling import load_model, load_processor, vision_token_ids
from egt.training import checkpoints
from egt.training.datasets import grpo_dataset
from egt.training.rewards import accuracy_reward, answers_first, format_reward
from egt.training.trainer_args import derive_batch, shared_trainer_args


def grpo_config(job: dict, processor) -> tuple[GRPOConfig, object]:
    """TRL's GRPO arguments for one stage; the global batch counts completions."""
    params = job["params"]
    batch = derive_batch(params["batch_size"], job["processes"], params.get("per_device_batch_size"))
    weights = params["reward_weights"]
    config = GRPOConfig(
        **shared_trainer_args(job, params["steps_per_stage"], batch),
        num_generations=params["num_samples"],
        max_completion_length=params["max_completion_length"],
        temperature=params["temperature"],
        top_k=0,
        beta=params["beta"],
        scale_rewards=params.get("scale_rewards", "group"),
        loss_type=params.get("loss_type", "dapo"),
        reward_weights=[weights["format"], weights["accuracy"], 0.0],
        use_vllm=False,
        generation_kwargs={"suppress_tokens": vision_token_ids(processor)},
    )
    return config, batch


def run_grpo_stage(init_model: str, pairs: pl.DataFrame, out_dir: str | Path, job: dict) -> list[dict]:
    """Train on ``pairs`` (one curriculum stage) and save model + processor; returns the log history.

    Checkpoints and resumes like :func:`egt.training.sft.run_sft`.
    """
    torch.manual_seed(job["seed"])
    processor = load_processor(init_model, job["trust_remote_code"])
    model = load_model(init_model, job["trust_remote_code"])
    config, batch = grpo_config(job, processor)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[format_reward, accuracy_reward, answers_first],
        args=config,
        train_dataset=grpo_dataset(pairs, job["template"], job["params"].get("both_orders", False)),
        processing_class=processor,
    )
    if trainer.accelerator.is_main_process:
        print(f"GRPO: {batch.describe()} (completions; {job['params']['num_samples']} per prompt)", flush=True)
    checkpoints.train_resumably(trainer, job["checkpoint_dir"], checkpoints.job_fingerprint(job, init_model, pairs))
    checkpoints.save_final(trainer, processor, out_dir, job["checkpoint_dir"])
    return trainer.state.log_history
