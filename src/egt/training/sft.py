"""Phase 1, reasoning enhancement: supervised fine-tuning on reasoning traces."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from trl import SFTConfig, SFTTrainer

from egt.modeling import load_processor
from egt.training import checkpoints
from egt.training.datasets import sft_dataset
from egt.training.trainer_args import derive_batch, load_trainable_model, shared_trainer_args

if TYPE_CHECKING:
    import polars as pl


def sft_trainer(init_model: str, pairs: list[dict], job: dict) -> SFTTrainer:
    """TRL's SFT trainer for ``pairs`` (dicts with the SFT columns), loss on the assistant turn only."""
    params = job["params"]
    torch.manual_seed(job["seed"])
    processor = load_processor(init_model, job["trust_remote_code"], job.get("pixels"))
    processor.tokenizer.padding_side = "right"  # training pads on the right
    model = load_trainable_model(init_model, job)
    batch = derive_batch(params["batch_size"], job["processes"], params.get("per_device_batch_size"))
    config = SFTConfig(
        **shared_trainer_args(job, params["max_steps"], batch),
        assistant_only_loss=True,
        max_length=None,
        disable_tqdm=False,
    )
    trainer = SFTTrainer(
        model=model, args=config, train_dataset=sft_dataset(pairs, job["template"]), processing_class=processor
    )
    if trainer.accelerator.is_main_process:
        print(f"SFT: {batch.describe()}; weights in {model.dtype}, backend {job.get('backend', 'none')}", flush=True)
    return trainer


def run_sft(init_model: str, pairs: pl.DataFrame, out_dir: str | Path, job: dict) -> list[dict]:
    """Fine-tune ``init_model`` on the traces in ``pairs``; save model + processor to ``out_dir``.

    Saves a resumable checkpoint every ``job["save_steps"]`` steps and resumes from the last
    complete one made for the same inputs. Returns the trainer's log history (including the lines
    logged before a resume).
    """
    trainer = sft_trainer(init_model, pairs.to_dicts(), job)
    checkpoints.train_resumably(trainer, job["checkpoint_dir"], checkpoints.job_fingerprint(job, init_model, pairs))
    processor = trainer.processing_class
    processor.tokenizer.padding_side = "left"  # generation appends to the right
    checkpoints.save_final(trainer, processor, out_dir, job["checkpoint_dir"], job.get("judging"))
    return trainer.state.log_history
