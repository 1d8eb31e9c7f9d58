"""Phase 1, reasoning enhancement: supervised fine-tuning on reasoning traces."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import torch
from trl import SFTConfig, SFTTrainer

from egt.modeling import load_model, load_processor
from egt.training import checkpoints
from egt.training.datasets import sft_dataset
from egt.training.trainer_args import derive_batch, shared_trainer_args


def run_sft(init_model: str, pairs: pl.DataFrame, out_dir: str | Path, job: dict) -> list[dict]:
    """Fine-tune ``init_model`` on the traces in ``pairs``; save model + processor to ``out_dir``.

    Loss on the assistant turn only. Saves a resumable checkpoint every ``job["save_steps"]``
    steps and resumes from the last one made for the same inputs. Returns the trainer's log
    history (including the lines logged before a resume).
    """
    params = job["params"]
    torch.manual_seed(job["seed"])
    processor = load_processor(init_model, job["trust_remote_code"])
    processor.tokenizer.padding_side = "right"  # training pads on the right
    model = load_model(init_model, job["trust_remote_code"])
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
        print(f"SFT: {batch.describe()}", flush=True)
    checkpoints.train_resumably(trainer, job["checkpoint_dir"], checkpoints.job_fingerprint(job, init_model, pairs))
    processor.tokenizer.padding_side = "left"  # generation appends to the right
    checkpoints.save_final(trainer, processor, out_dir, job["checkpoint_dir"])
    return trainer.state.log_history
