"""What a config will cost before it is submitted: tokens and GPU-hours per rule group, per engine.

Every figure is an estimate from the config, the pair counts (the adapted data where a run has made it,
else each source's published size) and per-GPU throughputs (``cost.throughput``: tokens per second per
GPU, overridable; the defaults are assumptions derived in docs/performance.md from
../shared/notes/gpu-path-review.md, not measurements: nothing here has run on a GPU). Generation is
counted at its cap (``max_new_tokens``, ``max_completion_length``): a batch of HF ``generate`` runs until
its longest sequence stops, so the cap is what bounds a job's time. ``python tools/cost_plan.py``
prints the plan and a warning for every job whose estimate exceeds its ``cluster.runtime_min``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

# Published sizes, for a run whose data is not adapted yet (docs/data.md gives each one's source).
PUBLISHED_PAIRS = {
    "r1_reward_rl": 17_261,  # rows in the six shards (Hub card @ c3243ab)
    "vl_rewardbench": 1_247,  # rows of data/test-*.parquet on the Hub's main
    "mm_rlhf_rewardbench": 170,
    "multimodal_rewardbench": 4_711,  # the 5,211 less the 500 Hateful Memes items not distributed
}
IMAGE_PATCH_PIXELS = 28 * 28  # Qwen2.5-VL: one image token per 28 x 28 pixels (merged 14-px patches)


# The config sections a plan reads (the summary passes only these: others changing must not rerun it).
SECTIONS = ("data", "model", "cluster", "cost", "sft", "rollout", "curriculum", "grpo", "evaluation")


@dataclass(frozen=True)
class Job:
    group: str  # rule group (cluster.* keys)
    name: str  # one job of it
    generated: float  # tokens sampled
    processed: float  # tokens through a forward (scoring) or forward + backward (training) pass
    gpu_hours: dict  # by engine ("hf", "vllm"): the job's GPU-hours
    gpus: int
    limit_min: int  # cluster.runtime_min of its group
    engine: str  # the engine the config chooses

    def wall_min(self, engine: str | None = None) -> float:
        return 60 * self.gpu_hours[engine or self.engine] / max(self.gpus, 1)


def pair_count(name: str, spec: dict, data_dir: Path | None) -> int | None:
    adapted = data_dir / f"{name}.parquet" if data_dir else None
    if adapted is not None and adapted.is_file():
        return pl.scan_parquet(adapted).select(pl.len()).collect().item()
    return PUBLISHED_PAIRS.get(spec["adapter"])


def prompt_tokens(config: dict) -> float:
    """A judging prompt: its text (``cost.prompt_text_tokens``) and one image at the image budget."""
    max_pixels = config["model"].get("max_pixels")
    image = max_pixels / IMAGE_PATCH_PIXELS if max_pixels else config["cost"]["image_tokens"]
    return config["cost"]["prompt_text_tokens"] + image


def plan(config: dict, data_dir: str | Path | None = None) -> list[Job]:
    """One entry per job of the paper DAG's GPU rule groups (SFT, rollout shards, GRPO stages, evaluations)."""
    data_dir = Path(data_dir) if data_dir else None
    cost, cluster = config["cost"], config["cluster"]
    rate = cost["throughput"]
    prompt = prompt_tokens(config)
    gpus = {g: max(cluster["gpus"].get(g, 0), 1) for g in ("sft", "rollout", "grpo", "evaluate")}
    limit = {g: cluster["runtime_min"].get(g, cluster["runtime_min"]["other"]) for g in gpus}

    speed = rate["generate"]

    def hours(generated: float, processed: float, process_rate: float, sequences: int = 1, colocated=None) -> dict:
        """GPU-hours by engine: each decodes its sequences at once, one token each per step (HF: the
        configured batch; vLLM: its concurrency, or TRL's per-device batch when colocated in GRPO)."""
        generate = {
            "hf": sequences / speed["hf_step_s"],
            "vllm": (colocated or speed["vllm_concurrency"]) / speed["vllm_step_s"],
        }
        return {e: (generated / generate[e] + processed / process_rate) / 3600 for e in generate}

    jobs = []
    sft = config["sft"]
    trained = sft["max_steps"] * sft["batch_size"] * (prompt + cost["trace_tokens"])
    jobs.append(Job("sft", "sft", 0, trained, hours(0, trained, rate["train"]), gpus["sft"], limit["sft"], "hf"))

    datasets = config["data"]["datasets"]
    rollout = config["rollout"]
    pool = pair_count("pool", datasets["pool"], data_dir) or 0
    shards = rollout["shards"]
    per_shard = pool / shards
    generated = per_shard * rollout["num_samples"] * rollout["max_new_tokens"]
    scored = per_shard * rollout["num_samples"] * (prompt + rollout["max_new_tokens"])
    for shard in range(shards):
        jobs.append(
            Job(
                "rollout",
                f"rollout shard {shard}",
                generated,
                scored,
                hours(generated, scored, rate["score"], rollout["batch_size"] * rollout["num_samples"]),
                gpus["rollout"],
                limit["rollout"],
                rollout.get("engine", "hf"),
            )
        )

    grpo = config["grpo"]
    completions = grpo["steps_per_stage"] * grpo["batch_size"]
    generated = completions * grpo["max_completion_length"]
    # policy forward + backward, and the reference model's forward when the KL term is on
    passes = 1 + (1 / 3 if grpo["beta"] > 0 else 0)
    trained = completions * (prompt + grpo["max_completion_length"]) * passes
    per_device = grpo.get("per_device_batch_size") or grpo["batch_size"] // gpus["grpo"]
    for stage in range(1, config["curriculum"]["stages"] + 1):
        jobs.append(
            Job(
                "grpo",
                f"grpo stage {stage}",
                generated,
                trained,
                hours(generated, trained, rate["train"], per_device, colocated=per_device),
                gpus["grpo"],
                limit["grpo"],
                grpo.get("engine", "hf"),
            )
        )

    evaluation = config["evaluation"]
    for name, spec in datasets.items():
        if not (name.startswith("benchmark_") or name.startswith("validation")):
            continue
        pairs = pair_count(name, spec, data_dir)
        if pairs is None:
            continue
        generated = pairs * 2 * evaluation["max_new_tokens"]  # both presentation orders
        read = pairs * 2 * prompt
        for model in ("sft", "final"):
            jobs.append(
                Job(
                    "evaluate",
                    f"evaluate {model} on {name}",
                    generated,
                    read,
                    hours(generated, read, rate["score"], evaluation["batch_size"]),
                    gpus["evaluate"],
                    limit["evaluate"],
                    evaluation.get("engine", "hf"),
                )
            )
    return jobs


def render(jobs: list[Job]) -> str:
    """The plan as a table by rule group, each engine's GPU-hours, and a line per job over its limit."""
    lines = [
        "| rule group | jobs | tokens generated | tokens processed | GPU-h (hf) | GPU-h (vllm) | chosen "
        "| longest job (min) | limit (min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    total = {"hf": 0.0, "vllm": 0.0, "chosen": 0.0}
    for group in dict.fromkeys(j.group for j in jobs):
        members = [j for j in jobs if j.group == group]
        hf, vllm = (sum(j.gpu_hours[e] for j in members) for e in ("hf", "vllm"))
        chosen = sum(j.gpu_hours[j.engine] for j in members)
        total["hf"], total["vllm"], total["chosen"] = total["hf"] + hf, total["vllm"] + vllm, total["chosen"] + chosen
        engines = "/".join(sorted({j.engine for j in members}))
        longest = max(j.wall_min() for j in members)
        lines.append(
            f"| {group} | {len(members)} | {sum(j.generated for j in members):,.0f} | "
            f"{sum(j.processed for j in members):,.0f} | {hf:,.1f} | {vllm:,.1f} | {engines} | {longest:,.0f} | "
            f"{members[0].limit_min} |"
        )
    lines.append(f"| all | {len(jobs)} | | | {total['hf']:,.1f} | {total['vllm']:,.1f} | {total['chosen']:,.1f} | | |")
    over = [j for j in jobs if j.wall_min() > j.limit_min]
    lines += [""] + [
        f"WARNING: {j.name} is estimated at {j.wall_min():,.0f} min on {j.gpus} GPU(s) with {j.engine}, over "
        f"cluster.runtime_min.{j.group} = {j.limit_min}"
        + (f" (with vllm: {j.wall_min('vllm'):,.0f} min)" if j.engine == "hf" and j.generated else "")
        for j in over
    ]
    return "\n".join(lines).rstrip() + "\n"
