"""Resumable training: periodic trainer checkpoints kept outside the rule's declared outputs.

Snakemake deletes a killed job's outputs before rerunning it, so checkpoints live in their own
folder (``results/<run>/checkpoints/<the output's path>``, e.g. ``checkpoints/sft/model``). A
fingerprint of what the run depends on (its parameters, seed, and the content of its starting model
and data) is stored beside them: a rerun resumes only from checkpoints made for exactly the same
inputs, and clears any others.

A checkpoint counts only once it is complete. The Trainer writes a checkpoint's parts in order —
weights, then optimizer state (under ZeRO-3 the largest part by far), scheduler and RNG states,
and ``trainer_state.json`` last (transformers 5.24.0 trainer.py:3377-3417) — while
``get_last_checkpoint`` picks the highest step by folder name alone (trainer_utils.py:270-279). A
job killed while saving would otherwise leave a folder that every retry tries and fails to resume.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from egt.provenance.fingerprint import claim_folder, fingerprint, frame_digest, path_digest

if TYPE_CHECKING:
    import polars as pl

CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
STATE_FILE = "trainer_state.json"  # the Trainer writes it last


def job_fingerprint(job: dict, init_model: str | Path, pairs: pl.DataFrame) -> str:
    """Parameters, seed, process count, the training backend (the accelerate config's content), and
    the content of the starting model and the training pairs.

    A ZeRO-3 checkpoint holds per-rank optimizer shards that FSDP or DDP cannot read, so a change of
    backend starts afresh rather than failing to resume.
    """
    settings = {k: v for k, v in job.items() if k not in ("checkpoint_dir", "accelerate_config")}
    backend = path_digest(job["accelerate_config"]) if job.get("accelerate_config") else None
    return fingerprint(
        job=settings, backend_config=backend, init_model=path_digest(init_model), pairs=frame_digest(pairs)
    )


def is_complete(checkpoint: str | Path) -> bool:
    """True once the Trainer finished writing the checkpoint (its last file reads as JSON)."""
    state = Path(checkpoint) / STATE_FILE
    try:
        json.loads(state.read_text())
    except (OSError, ValueError):
        return False
    return True


def last_complete_checkpoint(checkpoint_dir: str | Path) -> str | None:
    """The highest-step complete ``checkpoint-N`` folder, or None."""
    folder = Path(checkpoint_dir)
    if not folder.is_dir():
        return None
    steps = {int(m[1]): p for p in folder.iterdir() if p.is_dir() and (m := CHECKPOINT.match(p.name))}
    complete = [step for step in steps if is_complete(steps[step])]
    return str(steps[max(complete)]) if complete else None


def remove_incomplete(checkpoint_dir: str | Path) -> list[str]:
    """Delete checkpoint folders a killed save left half-written (a new save of the same step would
    otherwise write over their stale parts); returns their names."""
    folder = Path(checkpoint_dir)
    removed = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_dir() and CHECKPOINT.match(path.name) and not is_complete(path):
            shutil.rmtree(path)
            removed.append(path.name)
    return removed


def train_resumably(trainer, checkpoint_dir: str | Path, job_digest: str) -> None:
    """``trainer.train()``, resuming from the last checkpoint made for the same inputs, if any.

    With several processes, the main one checks the fingerprint and removes half-written
    checkpoints; all then resume from the same complete checkpoint.
    """
    accelerator = trainer.accelerator
    if accelerator.is_main_process:
        claim_folder(checkpoint_dir, job_digest)  # checkpoints of other inputs are removed
        for name in remove_incomplete(checkpoint_dir):
            print(f"removed {name}: its save was interrupted (no complete {STATE_FILE})", flush=True)
    accelerator.wait_for_everyone()
    resume = last_complete_checkpoint(checkpoint_dir)
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


def save_final(
    trainer, processor, out_dir: str | Path, checkpoint_dir: str | Path, judging: dict | None = None
) -> None:
    """Save the trained model (gathered across processes, sharded or not) with its processor and
    how it judges (``egt_judge.json``: template, image budget, judgment length; see
    egt.reward_model), then drop the checkpoints."""
    trainer.save_model(str(out_dir))  # writes on the main process only
    accelerator = trainer.accelerator
    if accelerator.is_main_process:
        processor.save_pretrained(out_dir)
        if judging is not None:
            from egt.judging import judge_settings, write_judge_settings

            write_judge_settings(out_dir, judge_settings(**judging))
        (Path(out_dir) / "training_args.bin").unlink(missing_ok=True)  # a pickle; nothing reads it
        clear(checkpoint_dir)
    accelerator.wait_for_everyone()


def clear(checkpoint_dir: str | Path) -> None:
    """Called after the final model is saved: the checkpoints are no longer needed."""
    shutil.rmtree(checkpoint_dir, ignore_errors=True)


def checkpoint_step(checkpoint: str | None) -> int:
    return int(Path(checkpoint).name.split("-")[-1]) if checkpoint else 0
