"""Stage 1, reasoning enhancement: supervised fine-tuning on reasoning traces."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import torch
from trl import SFTConfig, SFTTrainer

from egt.modeling import load_model, load_processor
from egt.training import checkpoints
from egt.training.datasets import sft_dataset


def run_sft(
    base_model: str,
    pairs: pl.DataFrame,
    out_dir: str | Path,
    params: dict,
    seed: int,
    use_cpu: bool,
    checkpoint_dir: str | Path,
    save_steps: int,
    trust_remote_code: bool = False,
) -> list[dict]:
    """Fine-tune ``base_model`` on the traces in ``pairs``; save model + processor to ``out_dir``.

    Saves a resumable checkpoint every ``save_steps`` steps in ``checkpoint_dir`` and resumes
    from the last one made for the same inputs. Returns the trainer's log history (including
    the lines logged before a resume).
    """
    torch.manual_seed(seed)
    processor = load_processor(base_model, trust_remote_code)
    processor.tokenizer.padding_side = "right"  # training pads on the right
    model = load_model(base_model, trust_remote_code)
    config = SFTConfig(
        output_dir=str(checkpoint_dir),
        max_steps=params["max_steps"],
        per_device_train_batch_size=params["batch_size"],
        gradient_accumulation_steps=params.get("gradient_accumulation_steps", 1),
        learning_rate=params["learning_rate"],
        lr_scheduler_type=params.get("lr_scheduler_type", "cosine"),
        warmup_steps=params.get("warmup_steps", 0),
        weight_decay=params.get("weight_decay", 0.0),
        logging_steps=params.get("logging_steps", 10),
        save_strategy="steps",
        save_steps=save_steps,
        save_total_limit=1,
        seed=seed,
        data_seed=seed,
        assistant_only_loss=True,
        max_length=None,
        use_cpu=use_cpu,
        bf16=params.get("bf16", False),
        activation_checkpointing=params.get("activation_checkpointing", False),
        report_to="none",
        dataloader_num_workers=0,
        disable_tqdm=False,
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=sft_dataset(pairs),
        processing_class=processor,
    )
    fingerprint = checkpoints.run_fingerprint(params, seed, base_model, {"pairs": pairs.height})
    checkpoints.train_resumably(trainer, checkpoint_dir, fingerprint, "SFT")
    processor.tokenizer.padding_side = "left"  # generation appends to the right
    checkpoints.save_final(trainer, processor, out_dir, checkpoint_dir)
    return trainer.state.log_history
