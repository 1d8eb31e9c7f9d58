"""Judging preference pairs with a model: sampled rollouts with entropy, and greedy evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import torch
from tqdm.auto import tqdm

from egt.generation.entropy import generated_token_mask, masked_mean
from egt.generation.scoring import completion_entropies
from egt.judging import judge_messages, parse_judgment
from egt.modeling import vision_token_ids
from egt.schemas import ROLLOUT_SCHEMA
from egt.training.datasets import decode_image


def prompts_and_images(
    processor, pairs: list[dict], swap: bool = False, template: str = "egt"
) -> tuple[list[str], list]:
    """Chat-formatted prompts and their images, in order; a video item contributes each of its frames."""
    texts, images = [], []
    for row in pairs:
        first, second = (row["response_2"], row["response_1"]) if swap else (row["response_1"], row["response_2"])
        pictures = row.get("frames") or [row["image"]]
        messages = judge_messages(row["question"], first, second, template, images=len(pictures))
        texts.append(processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))
        images.extend(decode_image(picture) for picture in pictures)
    return texts, images


def repeat_inputs(inputs: dict, times: int, images_per_prompt: list[int] | None = None) -> dict:
    """Repeat every row of processor outputs ``times`` times (row i -> rows i*times … i*times+times-1)."""
    out = {}
    for key, value in inputs.items():
        if key in ("pixel_values", "image_grid_thw"):
            # Patches of all images are concatenated; repeat each prompt's images as a whole.
            counts = images_per_prompt or [1] * inputs["input_ids"].shape[0]
            sizes = inputs["image_grid_thw"].prod(dim=-1).tolist() if key == "pixel_values" else [1] * sum(counts)
            blocks = list(value.split(sizes, dim=0))
            starts = [sum(counts[:i]) for i in range(len(counts))]
            prompts = [torch.cat(blocks[s : s + c], dim=0) for s, c in zip(starts, counts, strict=True)]
            out[key] = torch.cat([block for block in prompts for _ in range(times)], dim=0)
        elif torch.is_tensor(value):
            out[key] = value.repeat_interleave(times, dim=0)
        else:
            out[key] = value
    return out


@torch.no_grad()
def judge_batch(
    model,
    processor,
    pairs: list[dict],
    num_samples: int,
    temperature: float | None,
    max_new_tokens: int,
    swap: bool = False,
    template: str = "egt",
) -> list[dict]:
    """Judge each pair ``num_samples`` times; ``temperature=None`` means greedy decoding.

    Sampled judgments get the exact mean per-token entropy of the temperature-scaled
    next-token distribution over their generated tokens (up to and including the first
    end-of-turn token), recomputed teacher-forced by :func:`egt.generation.scoring.completion_entropies`
    so the figure does not depend on the sampling engine. Greedy judgments get none.
    """
    texts, images = prompts_and_images(processor, pairs, swap, template)
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True).to(model.device)
    sampling = temperature is not None
    generated = model.generate(
        **inputs,
        do_sample=sampling,
        temperature=temperature if sampling else None,
        top_k=0 if sampling else None,
        top_p=1.0 if sampling else None,
        num_return_sequences=num_samples,
        max_new_tokens=max_new_tokens,
        suppress_tokens=vision_token_ids(processor),
    )[:, inputs["input_ids"].shape[1] :]
    return judgment_rows(model, processor, pairs, inputs, generated, num_samples, temperature)


@torch.no_grad()
def judgment_rows(
    model, processor, pairs: list[dict], inputs: dict, generated: torch.Tensor, num_samples: int, temperature
) -> list[dict]:
    """Rows for completions ``generated`` (``num_samples`` per pair, padded after EOS) by any engine.

    Entropy is recomputed here, teacher-forced, for sampled completions (``temperature`` set).
    """
    eos_ids = model.generation_config.eos_token_id
    eos_ids = [eos_ids] if isinstance(eos_ids, int) else list(eos_ids)
    mask = generated_token_mask(generated, eos_ids)
    if temperature is not None:
        per_prompt = [len(row.get("frames") or [None]) for row in pairs]
        repeated = repeat_inputs(inputs, num_samples, per_prompt)
        entropies = completion_entropies(model, repeated, generated, mask, temperature)
        mean_entropy = masked_mean(entropies, mask).tolist()
    else:
        mean_entropy = [None] * generated.shape[0]
    decoded = processor.batch_decode(generated, skip_special_tokens=True)
    rows = []
    for index, text in enumerate(decoded):
        judgment = parse_judgment(text)
        rows.append(
            {
                "pair_id": pairs[index // num_samples]["pair_id"],
                "sample": index % num_samples,
                "text": text,
                "answer": judgment.answer,
                "format_ok": judgment.format_ok,
                "num_tokens": int(mask[index].sum()),
                "mean_token_entropy": mean_entropy[index],
            }
        )
    return rows


def judge_pairs(
    model,
    processor,
    pairs: pl.DataFrame,
    num_samples: int,
    temperature: float | None,
    max_new_tokens: int,
    batch_size: int,
    seed: int,
    swap: bool = False,
    desc: str = "judging",
    cache: str | Path | None = None,
    template: str = "egt",
) -> pl.DataFrame:
    """Judge every pair; ``batch_size`` counts pairs per generate call.

    With ``cache`` (a JSONL file), every finished batch is appended to it and pairs already in
    it are not judged again, so a killed run continues where it stopped. Only for greedy
    decoding, whose results do not depend on what was judged before.
    """
    if cache is not None and temperature is not None:
        raise ValueError("a judgment cache is only consistent for greedy decoding")
    torch.manual_seed(seed)
    model.eval()
    cached: dict[str, list[dict]] = {}
    if cache is not None and Path(cache).exists():
        for line in Path(cache).read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # the line being written when the job was killed
                continue
            cached.setdefault(row["pair_id"], []).append(row)
    columns = ["pair_id", "image", "question", "response_1", "response_2"] + (
        ["frames"] if "frames" in pairs.columns else []
    )
    records = pairs.select(columns).to_dicts()
    todo = [r for r in records if len(cached.get(r["pair_id"], [])) != num_samples]
    if cached:
        print(f"{desc}: {len(records) - len(todo)} pairs already judged in {cache}, judging {len(todo)}", flush=True)
    sink = open(cache, "a") if cache is not None else None  # noqa: SIM115 - closed below
    try:
        with tqdm(total=len(records), initial=len(records) - len(todo), desc=desc, unit="pair") as progress:
            for start in range(0, len(todo), batch_size):
                batch = todo[start : start + batch_size]
                rows = judge_batch(model, processor, batch, num_samples, temperature, max_new_tokens, swap, template)
                for record in batch:
                    cached[record["pair_id"]] = []
                for row in rows:
                    cached[row["pair_id"]].append(row)
                if sink is not None:
                    sink.write("".join(json.dumps(row) + "\n" for row in rows))
                    sink.flush()
                progress.update(len(batch))
    finally:
        if sink is not None:
            sink.close()
    ordered = [row for r in records for row in sorted(cached[r["pair_id"]], key=lambda x: x["sample"])]
    return pl.DataFrame(ordered, schema=ROLLOUT_SCHEMA)
