"""Resumable training: periodic trainer checkpoints kept outside the rule's declared outputs.

Snakemake deletes a killed job's outputs before rerunning it, so checkpoints live in their own
folder (``results/checkpoints/<run>``). A fingerprint of what the run depends on (its
parameters, seed, and the content of its starting model and data) is stored beside them: a
rerun resumes only from checkpoints made for exactly the same inputs, and clears any others.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from transformers.trainer_utils import get_last_checkpoint

from egt.provenance.fingerprint import claim_folder, fingerprint, frame_digest, path_digest


def job_fingerprint(job: dict, init_model: str | Path, pairs: pl.DataFrame) -> str:
    """Parameters, seed, process count, and the content of the starting model and the training pairs."""
    settings = {k: v for k, v in job.items() if k not in ("checkpoint_dir", "accelerate_config")}
    return fingerprint(job=settings, init_model=path_digest(init_model), pairs=frame_digest(pairs))


def train_resumably(trainer, checkpoint_dir: str | Path, job_digest: str) -> None:
    """``trainer.train()``, resuming from the last checkpoint made for the same inputs, if any.

    With several processes, the main one checks the fingerprint; all then resume from the
    same checkpoint.
    """
    accelerator = trainer.accelerator
    if accelerator.is_main_process:
        claim_folder(checkpoint_dir, job_digest)  # checkpoints of other inputs are removed
    accelerator.wait_for_everyone()
    resume = get_last_checkpoint(str(checkpoint_dir))
    if resume and accelerator.is_main_process:
        print(f"resuming {type(trainer).__name__} from {resume} (step {checkpoint_step(resume)})", flush=True)
    if not (trainer.is_deepspeed_enabled or trainer.is_fsdp_enabled):  # those restore their own shards
        trainer._load_from_checkpoint = _weight_loader(trainer)
    trainer.train(resume_from_checkpoint=resume)


def _weight_loader(trainer):
    """Load a checkpoint's weights the way ``from_pretrained`` does, strictly.

    Trainer's own resume loads ``model.safetensors`` with ``load_state_dict(strict=False)`` and no
    key conversion; transformers 5 saves Qwen2.5-VL under its original key names
    (``model.layers.*``, ``visual.*``) while the loaded model names them ``model.language_model.*``
    and ``model.visual.*``, so no weight was restored and training silently went on from the
    starting model with the checkpoint's optimizer state (found by tests/test_resilience.py).
    """

    def load(checkpoint: str, model=None) -> None:
        model = model if model is not None else trainer.model
        saved = type(model).from_pretrained(checkpoint, dtype=model.dtype, use_safetensors=True)
        model.load_state_dict(saved.state_dict(), strict=True)

    return load


def save_final(trainer, processor, out_dir: str | Path, checkpoint_dir: str | Path) -> None:
    """Save the trained model (gathered across processes, sharded or not) with its processor,
    then drop the checkpoints."""
    trainer.save_model(str(out_dir))  # writes on the main process only
    accelerator = trainer.accelerator
    if accelerator.is_main_process:
        processor.save_pretrained(out_dir)
        (Path(out_dir) / "training_args.bin").unlink(missing_ok=True)  # a pickle; nothing reads it
        clear(checkpoint_dir)
    accelerator.wait_for_everyone()


def clear(checkpoint_dir: str | Path) -> None:
    """Called after the final model is saved: the checkpoints are no longer needed."""
    shutil.rmtree(checkpoint_dir, ignore_errors=True)


def checkpoint_step(checkpoint: str | None) -> int:
    return int(Path(checkpoint).name.split("-")[-1]) if checkpoint else 0
