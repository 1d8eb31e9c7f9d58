"""Phase 3: GRPO on one curriculum stage, starting from the previous stage's model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from trl import GRPOConfig, GRPOTrainer

from egt.generation.sampling import Sampling
from egt.modeling import load_processor, vision_token_ids
from egt.training import checkpoints
from egt.training.datasets import grpo_dataset
from egt.training.rewards import accuracy_reward, answers_first, format_reward
from egt.training.trainer_args import derive_batch, load_trainable_model, shared_trainer_args

if TYPE_CHECKING:
    import polars as pl


def grpo_config(job: dict, processor) -> tuple[GRPOConfig, object]:
    """TRL's GRPO arguments for one stage; the global batch counts completions.

    Sampling is egt's (:class:`egt.generation.sampling.Sampling`): plain sampling at the stage's
    temperature, vision tokens banned, every other setting explicit, so the checkpoint's own
    generation defaults never apply — with either engine (:func:`engine_args`).
    """
    params = job["params"]
    batch = derive_batch(params["batch_size"], job["processes"], params.get("per_device_batch_size"))
    weights = params["reward_weights"]
    plan = Sampling(max_new_tokens=params["max_completion_length"], temperature=params["temperature"], num_samples=1)
    banned = vision_token_ids(processor)
    sampling = plan.hf_kwargs(banned)
    config = GRPOConfig(
        **shared_trainer_args(job, params["steps_per_stage"], batch),
        num_generations=params["num_samples"],
        max_completion_length=params["max_completion_length"],
        temperature=params["temperature"],
        top_k=sampling["top_k"],
        top_p=sampling["top_p"],
        repetition_penalty=sampling["repetition_penalty"],
        beta=params["beta"],
        scale_rewards=params.get("scale_rewards", "group"),
        loss_type=params.get("loss_type", "dapo"),
        reward_weights=[weights["format"], weights["accuracy"], 0.0],
        **engine_args(params, plan, banned),
    )
    return config, batch


# What TRL's colocated engine sets itself in every ``SamplingParams`` (trl 1.16.0
# generation/vllm_generation.py:661-671: one completion per repeated prompt, the completion length, its
# own log-probabilities); everything else comes from egt's sampling configuration.
TRL_SETS = ("n", "max_tokens", "logprobs")


def engine_args(params: dict, plan: Sampling, banned_ids: list[int]) -> dict:
    """GRPOConfig's generation-engine arguments for ``grpo.engine``.

    ``hf``: transformers' generate, vision tokens suppressed (``generation_kwargs`` reach its
    GenerationConfig, grpo_trainer.py:1171-1173). ``vllm``: TRL's colocate mode, one vLLM per training
    process on its own GPU share, asleep during the optimizer step; ``generation_kwargs`` are merged into
    ``vllm.SamplingParams`` over TRL's own (vllm_generation.py:672-683), so egt's vLLM settings (the rollouts'
    builder, vision tokens banned through ``logit_bias``: SamplingParams has no ``suppress_tokens``) win.
    """
    if params.get("engine", "hf") == "hf":
        return {
            "use_vllm": False,
            "generation_kwargs": {"suppress_tokens": plan.hf_kwargs(banned_ids)["suppress_tokens"]},
        }
    vllm = params.get("vllm", {})
    return {
        "use_vllm": True,
        "vllm_mode": "colocate",
        "vllm_gpu_memory_utilization": vllm.get("gpu_memory_utilization", 0.3),
        "vllm_max_model_length": vllm.get("max_model_length"),
        "vllm_enable_sleep_mode": vllm.get("sleep_mode", True),
        "generation_kwargs": {k: v for k, v in plan.vllm_kwargs(banned_ids).items() if k not in TRL_SETS},
    }


def grpo_trainer(init_model: str, pairs: list[dict], job: dict) -> GRPOTrainer:
    """TRL's GRPO trainer for one stage's ``pairs`` (dicts with the pair columns and ``label``)."""
    torch.manual_seed(job["seed"])
    processor = load_processor(init_model, job["trust_remote_code"], job.get("pixels"))
    model = load_trainable_model(init_model, job)
    config, batch = grpo_config(job, processor)
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[format_reward, accuracy_reward, answers_first],
        args=config,
        train_dataset=grpo_dataset(pairs, job["template"], job["params"].get("both_orders", False)),
        processing_class=processor,
    )
    if trainer.accelerator.is_main_process:
        samples = job["params"]["num_samples"]
        print(
            f"GRPO: {batch.describe()} (completions; {samples} per prompt); weights in {model.dtype}, "
            f"backend {job.get('backend', 'none')}",
            flush=True,
        )
    return trainer


def run_grpo_stage(init_model: str, pairs: pl.DataFrame, out_dir: str | Path, job: dict) -> list[dict]:
    """Train on ``pairs`` (one curriculum stage) and save model + processor; returns the log history.

    Checkpoints and resumes like :func:`egt.training.sft.run_sft`.
    """
    trainer = grpo_trainer(init_model, pairs.to_dicts(), job)
    checkpoints.train_resumably(trainer, job["checkpoint_dir"], checkpoints.job_fingerprint(job, init_model, pairs))
    checkpoints.save_final(trainer, trainer.processing_class, out_dir, job["checkpoint_dir"], job.get("judging"))
    return trainer.state.log_history
