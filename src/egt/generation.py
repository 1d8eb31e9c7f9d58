"""Judging preference pairs with a model: sampled rollouts with entropy, and greedy evaluation."""

from __future__ import annotations

import polars as pl
import torch
from tqdm.auto import tqdm

from egt.datasets import decode_image
from egt.entropy import generated_token_mask, masked_mean, token_entropy
from egt.judging import judge_messages, parse_judgment
from egt.modeling import vision_token_ids

ROLLOUT_SCHEMA = {
    "pair_id": pl.String,
    "sample": pl.Int32,
    "text": pl.String,
    "answer": pl.Int8,  # 1, 2, or null when unparseable
    "format_ok": pl.Boolean,
    "num_tokens": pl.Int32,
    "mean_token_entropy": pl.Float32,
}


def _prompts(processor, pairs: list[dict], swap: bool = False) -> tuple[list[str], list]:
    texts, images = [], []
    for row in pairs:
        first, second = (row["response_2"], row["response_1"]) if swap else (row["response_1"], row["response_2"])
        messages = judge_messages(row["question"], first, second)
        texts.append(processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))
        images.append(decode_image(row["image"]))
    return texts, images


@torch.no_grad()
def judge_batch(
    model,
    processor,
    pairs: list[dict],
    num_samples: int,
    temperature: float | None,
    max_new_tokens: int,
    swap: bool = False,
) -> list[dict]:
    """Judge each pair ``num_samples`` times; ``temperature=None`` means greedy decoding.

    Each judgment carries the exact mean per-token entropy of the temperature-scaled
    next-token distribution over its generated tokens (greedy: temperature 1).
    """
    texts, images = _prompts(processor, pairs, swap)
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True).to(model.device)
    sampling = temperature is not None
    output = model.generate(
        **inputs,
        do_sample=sampling,
        temperature=temperature if sampling else None,
        top_k=0 if sampling else None,
        top_p=1.0 if sampling else None,
        num_return_sequences=num_samples,
        max_new_tokens=max_new_tokens,
        suppress_tokens=vision_token_ids(processor),
        output_logits=True,
        return_dict_in_generate=True,
    )
    generated = output.sequences[:, inputs["input_ids"].shape[1] :]
    # Raw logits divided by T are the sampling distribution (``scores`` carry -inf from
    # suppressed tokens and other processors).
    logits = torch.stack(output.logits, dim=1)
    entropy = token_entropy(logits, temperature if sampling else 1.0)
    eos_ids = model.generation_config.eos_token_id
    eos_ids = [eos_ids] if isinstance(eos_ids, int) else list(eos_ids)
    mask = generated_token_mask(generated, eos_ids)
    mean_entropy = masked_mean(entropy, mask)
    decoded = processor.batch_decode(generated, skip_special_tokens=True)
    rows = []
    for index, text in enumerate(decoded):
        pair = pairs[index // num_samples]
        judgment = parse_judgment(text)
        rows.append(
            {
                "pair_id": pair["pair_id"],
                "sample": index % num_samples,
                "text": text,
                "answer": judgment.answer,
                "format_ok": judgment.format_ok,
                "num_tokens": int(mask[index].sum()),
                "mean_token_entropy": float(mean_entropy[index]),
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
) -> pl.DataFrame:
    """Judge every pair; ``batch_size`` counts pairs per generate call."""
    torch.manual_seed(seed)
    model.eval()
    rows: list[dict] = []
    records = pairs.select("pair_id", "image", "question", "response_1", "response_2").to_dicts()
    with tqdm(total=len(records), desc=desc, unit="pair") as progress:
        for start in range(0, len(records), batch_size):
            batch = records[start : start + batch_size]
            rows.extend(judge_batch(model, processor, batch, num_samples, temperature, max_new_tokens, swap))
            progress.update(len(batch))
    return pl.DataFrame(rows, schema=ROLLOUT_SCHEMA)
