"""The first minutes on a GPU: egt's GPU-run code paths, each timed, on an air-gapped host.

    python tools/gpu_smoke.py [--device cuda] [--work /tmp/egt-gpu-smoke] [--width 1024]

Needs only what a GPU host's Python usually has — CUDA torch, transformers and accelerate (other
versions than egt's pins will do) — plus trl, pillow and numpy. trl brings datasets, which brings
dill and multiprocess; pandas, pyarrow, xxhash and fsspec are usually there. transformers must be
5.18 or newer: TRL 1.16's assistant-only SFT loss on images refuses older ones (trl
sft_trainer.py:788-796; seen with a host's 5.17). For a host with no index, carry these wheels
(15 MB for Python 3.12, 13.5 of them transformers) and install them first:

    trl==1.16.0  datasets==5.2.0  dill==0.4.1  multiprocess==0.70.19  [transformers==5.24.0]
    pip install --no-index --no-deps --target /tmp/site wheels/*.whl && export PYTHONPATH=/tmp/site

Checked on the CPU here with transformers 5.24.0 / huggingface-hub 1.33.0 / tokenizers 0.23.2 (a GPU
host's versions but for torch) and with polars and snakemake unimportable (tests/test_gpu_smoke.py).

No polars, snakemake or egt install: the script imports egt from this checkout's src/. In a few
minutes it
1. builds the Hub-layout replica of Qwen/Qwen2.5-VL-7B-Instruct with the real vocabulary (152,064
   embedding rows, every special token at its real id) and a body of ``--width``, and loads it in bf16
   through egt's loaders (image-only processor, published files, no torchvision);
2. samples judgments with egt's sampling configuration and checks the teacher-forced entropy
   against the sampling logits, in bf16 at the real vocabulary;
3. runs SFT steps through TRL (fp32 master weights, bf16 autocast: one process, no DeepSpeed),
   checkpointing every 2 steps; the run is killed once its first checkpoint is complete, a
   half-written checkpoint is left beside it, and the rerun must resume from the complete one;
4. runs GRPO steps through TRL from the SFT model;
and prints, per step, wall time and peak GPU memory. Exit status 0 only if every check passed.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

REPLICA_SIZES = {  # the 7B's proportions (heads of 128, 7:1 grouped-query attention) at a chosen width
    "num_hidden_layers": 4,
    "vision_depth": 2,
    "vision_hidden_size": 128,
    "vision_intermediate_size": 256,
    "vision_num_heads": 2,
}


def toy_pairs(count: int, seed: int = 0) -> list[dict]:
    """Preference pairs of coloured squares, with a reasoning trace and a label (no polars, no toy world)."""
    import numpy as np
    from PIL import Image

    from egt.judging import reasoning_trace

    colours = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220)}
    rng = np.random.default_rng(seed)
    pairs = []
    for index in range(count):
        seen, other = rng.choice(list(colours), size=2, replace=False)
        buffer = io.BytesIO()
        Image.new("RGB", (112, 84), colours[seen]).save(buffer, format="PNG")
        first, second = (seen, other) if index % 2 == 0 else (other, seen)
        pairs.append(
            {
                "pair_id": f"smoke-{index}",
                "image": buffer.getvalue(),
                "question": "What colour is the square?",
                "response_1": f"It is {first}.",
                "response_2": f"It is {second}.",
                "label": 1 if first == seen else 2,
                "reasoning": reasoning_trace("square", seen, first, second),
            }
        )
    return pairs


def job(kind: str, work: Path, device: str, steps: int) -> dict:
    """A training job as egt's rules make it (workflow/common.smk training_job), one process, no backend."""
    params = {"batch_size": 4, "learning_rate": 1e-5, "logging_steps": 1}
    if kind == "sft":
        params |= {"max_steps": steps}
    else:
        params |= {
            "steps_per_stage": steps,
            "batch_size": 8,
            "num_samples": 4,
            "max_completion_length": 64,
            "temperature": 1.0,
            "beta": 0.0,
            "reward_weights": {"format": 0.5, "accuracy": 1.0},
            "both_orders": True,
        }
    return {
        "params": params,
        "seed": 0,
        "device": device,
        "checkpoint_dir": str(work / f"checkpoints_{kind}"),
        "save_steps": 2,
        "bf16": device == "cuda",
        "gradient_checkpointing": device == "cuda",
        "trust_remote_code": False,
        "template": "r1_reward",
        "pixels": {"min_pixels": 3136, "max_pixels": 1003520},
        "processes": 1,
        "backend": "none",
    }


TRAIN = """
import base64, json, sys, time
sys.path.insert(0, sys.argv[2])
import torch
from transformers import TrainerCallback
from egt.provenance.fingerprint import fingerprint
from egt.training import checkpoints
spec = json.loads(open(sys.argv[1]).read())
kind, job = spec["kind"], spec["job"]
if kind == "sft":
    from egt.training.sft import sft_trainer as build
else:
    from egt.training.grpo import grpo_trainer as build

class StepTimes(TrainerCallback):
    def on_step_begin(self, args, state, control, **kwargs):
        self.started = time.time()
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
    def on_step_end(self, args, state, control, **kwargs):
        peak = torch.cuda.max_memory_allocated() // 2**20 if torch.cuda.is_available() else 0
        print(f"step {kind} {state.global_step} {time.time() - self.started:.3f} s {peak} MB", flush=True)

pairs = [{**row, "image": base64.b64decode(row["image"])} for row in spec["pairs"]]
trainer = build(spec["model"], pairs, job)
print(f"weights in {trainer.model.dtype}", flush=True)
trainer.add_callback(StepTimes())
checkpoints.train_resumably(trainer, job["checkpoint_dir"], fingerprint(kind=kind, job=job))
checkpoints.save_final(trainer, trainer.processing_class, spec["out"], job["checkpoint_dir"])
print("finished", kind, trainer.state.global_step, flush=True)
"""


def train(kind: str, model: str, out: Path, pairs: list[dict], job_spec: dict, work: Path, kill_after=None):
    """Run one training job in a child process (as a rule would); with ``kill_after`` (a checkpoint
    folder), SIGKILL it once that checkpoint is complete. Returns the child's output."""
    import base64

    from egt.training import checkpoints

    rows = [{**p, "image": base64.b64encode(p["image"]).decode()} for p in pairs]
    spec_file = work / f"{kind}.json"
    spec_file.write_text(json.dumps({"kind": kind, "model": model, "out": str(out), "pairs": rows, "job": job_spec}))
    script = work / "train.py"
    script.write_text(TRAIN)
    command = [sys.executable, str(script), str(spec_file), str(REPO / "src")]
    if kill_after is None:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{kind} failed:\n{(done.stdout + done.stderr)[-4000:]}")
        return done.stdout
    log = work / f"{kind}_killed.log"
    with open(log, "w") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 600
        while not checkpoints.is_complete(kill_after):
            if child.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"{kind} ended before its first checkpoint:\n{log.read_text()[-4000:]}")
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    return log.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/egt-gpu-smoke"))
    parser.add_argument("--width", type=int, default=1024, help="hidden size of the replica's language model")
    parser.add_argument("--steps", type=int, default=6, help="SFT and GRPO steps (at least 4)")
    parser.add_argument(
        "--small-vocabulary", action="store_true", help="a learnt vocabulary instead of the real one (CPU tests)"
    )
    args = parser.parse_args()
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("gpu_smoke: no CUDA device visible to torch", file=sys.stderr)
        return 2
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "0")
    import transformers
    import trl
    from packaging.version import Version

    if Version(transformers.__version__) < Version("5.18"):
        print(
            f"gpu_smoke: transformers {transformers.__version__} is older than 5.18, which TRL's assistant-only "
            "SFT loss on images needs: carry transformers==5.24.0 (see this script's docstring)",
            file=sys.stderr,
        )
        return 2

    from egt.generation.entropy import generated_token_mask, token_entropy
    from egt.generation.inputs import repeat_inputs
    from egt.generation.judge import judge_batch, prompts_and_images
    from egt.generation.sampling import Sampling
    from egt.generation.scoring import completion_entropies
    from egt.judging import TEMPLATES
    from egt.model_replica import build_qwen2_5_vl_replica
    from egt.modeling import load_model, load_processor, vision_token_ids

    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    print(f"gpu_smoke: torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}")
    if args.device == "cuda":
        print(f"gpu_smoke: {torch.cuda.get_device_name(0)} (CUDA_VISIBLE_DEVICES={os.environ['CUDA_VISIBLE_DEVICES']})")
    rows, failures = [], []

    def timed(name, fn):
        if args.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        started = time.time()
        result = fn()
        if args.device == "cuda":
            torch.cuda.synchronize()
        peak = torch.cuda.max_memory_allocated() // 2**20 if args.device == "cuda" else 0
        rows.append((name, time.time() - started, peak))
        return result

    def check(condition, what):
        print(f"  {'ok' if condition else 'FAILED'}: {what}", flush=True)
        if not condition:
            failures.append(what)

    pairs = toy_pairs(8)
    replica = args.work / "Qwen2.5-VL-7B-Instruct"
    sizes = {**REPLICA_SIZES, "hidden_size": args.width, "intermediate_size": args.width * 5}
    sizes |= {
        "num_attention_heads": max(1, args.width // 128) * 2,
        "num_key_value_heads": max(1, args.width // 128) // 2 or 1,
    }
    texts = list(TEMPLATES.values()) * 10 + [p["reasoning"] for p in pairs]
    real = not args.small_vocabulary
    info = timed("build replica", lambda: build_qwen2_5_vl_replica(replica, texts, real_vocabulary=real, sizes=sizes))
    print(f"replica: {info['parameters']:,} parameters, vocabulary {info['vocab_size']:,}")
    model = timed("load bf16", lambda: load_model(str(replica)).to(args.device))
    processor = load_processor(str(replica), pixels={"max_pixels": 1003520})
    check(model.dtype == torch.bfloat16, "the Hub checkpoint loads in bf16")
    check(type(processor).__name__ == "ImageOnlyQwen2_5_VLProcessor", "the image-only processor (no torchvision)")
    if real:
        check(vision_token_ids(processor) == [151652, 151653, 151655, 151656], "vision tokens at their real ids")

    sampling = Sampling(max_new_tokens=64, temperature=1.0, num_samples=4)
    judged = timed(
        "rollout batch (4 pairs x 4)", lambda: judge_batch(model, processor, pairs[:4], sampling, template="r1_reward")
    )
    entropy = [r["mean_token_entropy"] for r in judged]
    check(
        all(0 <= e <= math.log(info["vocab_size"]) + 1e-2 for e in entropy),
        f"entropies in [0, log V]: {min(entropy):.3f}..{max(entropy):.3f}",
    )
    texts_, images = prompts_and_images(processor, pairs[:2], template="r1_reward")
    inputs = processor(text=texts_, images=images, return_tensors="pt", padding=True).to(args.device)
    torch.manual_seed(0)
    out = model.generate(**inputs, **Sampling(16, 1.0, 2).hf_kwargs(vision_token_ids(processor)),
                         output_logits=True, return_dict_in_generate=True)  # fmt: skip
    generated = out.sequences[:, inputs["input_ids"].shape[1] :]
    eos = model.generation_config.eos_token_id
    mask = generated_token_mask(generated, [eos] if isinstance(eos, int) else list(eos))
    sampled = token_entropy(torch.stack(out.logits, dim=1), 1.0)
    rescored = timed(
        "entropy rescoring",
        lambda: completion_entropies(model, repeat_inputs(inputs, 2), generated, mask, 1.0, rows_per_pass=2),
    )
    gap = (rescored[mask] - sampled[mask]).abs().max().item()
    check(gap < 0.1, f"teacher-forced entropy matches the sampling logits in bf16 (max gap {gap:.4f} nats)")
    model = None  # free the GPU for training
    if args.device == "cuda":
        torch.cuda.empty_cache()

    # SFT, killed after its first complete checkpoint, a half-written one beside it, then resumed
    sft_job = job("sft", args.work, args.device, args.steps)
    first = Path(sft_job["checkpoint_dir"]) / "checkpoint-2"
    killed = train("sft", str(replica), args.work / "sft", pairs, sft_job, args.work, kill_after=first)
    partial = Path(sft_job["checkpoint_dir"]) / "checkpoint-4"
    if not partial.exists():
        shutil.copytree(first, partial)
    (partial / "trainer_state.json").unlink(missing_ok=True)
    resumed = train("sft", str(replica), args.work / "sft", pairs, sft_job, args.work)
    check("weights in torch.float32" in killed, "SFT keeps fp32 master weights of the bf16 checkpoint")
    check(
        "removed checkpoint-4" in resumed and "checkpoint-2 (step 2)" in resumed, "resumed from the complete checkpoint"
    )
    check(f"finished sft {args.steps}" in resumed, f"SFT reached step {args.steps}")
    grpo = train(
        "grpo",
        str(args.work / "sft"),
        args.work / "grpo",
        pairs,
        job("grpo", args.work, args.device, args.steps),
        args.work,
    )
    check(f"finished grpo {args.steps}" in grpo, f"GRPO reached step {args.steps}")
    for kind, step, seconds, peak in re.findall(r"step (sft|grpo) (\d+) ([\d.]+) s (\d+) MB", killed + resumed + grpo):
        rows.append((f"{kind} step {step}", float(seconds), int(peak)))

    print("\nphase | seconds | peak GPU memory (MB)")
    for name, seconds, peak in rows:
        print(f"{name} | {seconds:.2f} | {peak if args.device == 'cuda' else '-'}")
    print(f"\ngpu_smoke: {'all checks passed' if not failures else 'FAILED: ' + '; '.join(failures)}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
