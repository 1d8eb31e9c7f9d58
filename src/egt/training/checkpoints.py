"""Resumable training: periodic trainer checkpoints kept outside the rule's declared outputs.

Snakemake deletes a killed job's outputs before rerunning it, so checkpoints live in their own
folder (``results/checkpoints/<run>``). A fingerprint of what the run depends on (its
parameters, seed and starting model) is stored beside them: a rerun resumes only from
checkpoints made for exactly the same inputs, and clears any others.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from transformers.trainer_utils import get_last_checkpoint

FINGERPRINT_FILE = "fingerprint.json"


def model_fingerprint(path: str | Path) -> dict:
    """Names, sizes and modification times of a local model folder's files (a Hub id is kept as is)."""
    path = Path(path)
    if not path.is_dir():
        return {"id": str(path)}
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in sorted(path.iterdir()) if p.is_file()}


def run_fingerprint(params: dict, seed: int, init_model: str | Path, data: dict | None = None) -> str:
    payload = {"params": params, "seed": seed, "init_model": model_fingerprint(init_model), "data": data or {}}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def resume_point(checkpoint_dir: str | Path, fingerprint: str) -> str | None:
    """The last checkpoint to resume from, or None; checkpoints of other inputs are removed."""
    checkpoint_dir = Path(checkpoint_dir)
    marker = checkpoint_dir / FINGERPRINT_FILE
    if checkpoint_dir.exists() and (not marker.exists() or json.loads(marker.read_text()) != fingerprint):
        shutil.rmtree(checkpoint_dir)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(fingerprint))
    return get_last_checkpoint(str(checkpoint_dir))


def train_resumably(trainer, checkpoint_dir: str | Path, fingerprint: str, name: str) -> None:
    """``trainer.train()``, resuming from the last checkpoint made for the same inputs, if any.

    With several processes, the main one checks the fingerprint; all then resume from the
    same checkpoint.
    """
    accelerator = trainer.accelerator
    if accelerator.is_main_process:
        resume_point(checkpoint_dir, fingerprint)
    accelerator.wait_for_everyone()
    resume = get_last_checkpoint(str(checkpoint_dir))
    if resume and accelerator.is_main_process:
        print(f"resuming {name} from {resume} (step {checkpoint_step(resume)})", flush=True)
    trainer.train(resume_from_checkpoint=resume)


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
