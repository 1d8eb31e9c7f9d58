"""Stage 3: GRPO on one curriculum stage, starting from the previous stage's checkpoint."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import torch
from trl import GRPOConfig, GRPOTrainer

from egt.modeling import load_model, load_processor, vision_token_ids
from egt.training import checkpoints
from egt.training.datasets import grpo_dataset
from egt.training.rewards import accuracy_reward, format_reward


def grpo_config(params: dict, checkpoint_dir: Path, save_steps: int, seed: int, use_cpu: bool, processor) -> GRPOConfig:
    weights = params["reward_weights"]
    return GRPOConfig(
        output_dir=str(checkpoint_dir),
        max_steps=params["steps_per_stage"],
        per_device_train_batch_size=params["batch_size"],
        gradient_accumulation_steps=params.get("gradient_accumulation_steps", 1),
        num_generations=params["num_generations"],
        max_completion_length=params["max_completion_length"],
        temperature=params["temperature"],
        top_k=0,
        learning_rate=params["learning_rate"],
        lr_scheduler_type=params.get("lr_scheduler_type", "constant"),
        beta=params["beta"],
        reward_weights=[weights["format"], weights["accuracy"]],
        logging_steps=params.get("logging_steps", 5),
        save_strategy="steps",
        save_steps=save_steps,
        save_total_limit=1,
        seed=seed,
        data_seed=seed,
        use_cpu=use_cpu,
        bf16=params.get("bf16", False),
        activation_checkpointing=params.get("activation_checkpointing", False),
        use_vllm=False,
        generation_kwargs={"suppress_tokens": vision_token_ids(processor)},
        report_to="none",
        dataloader_num_workers=0,
    )


def run_grpo_stage(
    init_model: str,
    pairs: pl.DataFrame,
    out_dir: str | Path,
    params: dict,
    seed: int,
    use_cpu: bool,
    checkpoint_dir: str | Path,
    save_steps: int,
    trust_remote_code: bool = False,
) -> list[dict]:
    """Train on ``pairs`` (one curriculum stage) and save model + processor; returns log history.

    Checkpoints every ``save_steps`` steps in ``checkpoint_dir`` and resumes like :func:`egt.training.sft.run_sft`.
    """
    torch.manual_seed(seed)
    processor = load_processor(init_model, trust_remote_code)
    model = load_model(init_model, trust_remote_code)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[format_reward, accuracy_reward],
        args=grpo_config(params, Path(checkpoint_dir), save_steps, seed, use_cpu, processor),
        train_dataset=grpo_dataset(pairs),
        processing_class=processor,
    )
    data = {"pair_ids": sorted(pairs["pair_id"].to_list())}
    fingerprint = checkpoints.run_fingerprint(params, seed, init_model, data)
    checkpoints.train_resumably(trainer, checkpoint_dir, fingerprint, "GRPO")
    checkpoints.save_final(trainer, processor, out_dir, checkpoint_dir)
    return trainer.state.log_history
