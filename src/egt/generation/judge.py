"""Judging one batch of preference pairs with a model: prompts, generation, entropy, parsing.

Torch and transformers only (no polars): the GPU smoke check (``tools/gpu_smoke.py``) runs these
functions on a host that has little more than CUDA torch. :mod:`egt.generation.pairs` judges a
whole table of pairs with them.
"""

from __future__ import annotations

import torch

from egt.data.images import open_image
from egt.generation import FORKING_SHARE
from egt.generation.entropy import generated_token_mask, masked_mean, token_at_char, top_share_mean
from egt.generation.inputs import images_per_row, repeat_inputs
from egt.generation.sampling import Sampling
from egt.generation.scoring import completion_entropies
from egt.judging import answer_char, judge_messages, parse_judgment
from egt.modeling import vision_token_ids


def prompts_and_images(processor, pairs: list[dict], template: str, swap: bool = False) -> tuple[list[str], list]:
    """Chat-formatted prompts and their images, in order; a video item contributes each of its frames."""
    texts, images = [], []
    for row in pairs:
        first, second = (row["response_2"], row["response_1"]) if swap else (row["response_1"], row["response_2"])
        pictures = row.get("frames") or [row["image"]]
        messages = judge_messages(row["question"], first, second, template, images=len(pictures))
        texts.append(processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))
        images.extend(open_image(picture) for picture in pictures)
    return texts, images


@torch.no_grad()
def judge_batch(
    model,
    processor,
    pairs: list[dict],
    sampling: Sampling,
    template: str,
    swap: bool = False,
    score_rows: int | None = None,
) -> list[dict]:
    """Judge each pair ``sampling.num_samples`` times (greedy when ``sampling.temperature`` is None).

    Sampled judgments get the exact mean per-token entropy of the temperature-scaled
    next-token distribution over their generated tokens (up to and including the first
    end-of-turn token), recomputed teacher-forced by :func:`egt.generation.scoring.completion_entropies`
    so the figure does not depend on the sampling engine (at most ``score_rows`` completions per
    forward pass). Greedy judgments get none.
    """
    texts, images = prompts_and_images(processor, pairs, template, swap)
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True).to(model.device)
    generated = model.generate(**inputs, **sampling.hf_kwargs(vision_token_ids(processor)))
    generated = generated[:, inputs["input_ids"].shape[1] :]
    return judgment_rows(model, processor, pairs, inputs, generated, sampling, score_rows)


@torch.no_grad()
def judgment_rows(
    model,
    processor,
    pairs: list[dict],
    inputs: dict,
    generated: torch.Tensor,
    sampling: Sampling,
    score_rows: int | None = None,
) -> list[dict]:
    """Rows for completions ``generated`` (``num_samples`` per pair, padded after EOS) by any engine.

    Entropy is recomputed here, teacher-forced, for sampled completions.
    """
    num_samples = sampling.num_samples
    eos_ids = model.generation_config.eos_token_id
    eos_ids = [eos_ids] if isinstance(eos_ids, int) else list(eos_ids)
    mask = generated_token_mask(generated, eos_ids)
    if not sampling.greedy:
        counts = images_per_row(pairs)
        repeated = repeat_inputs(inputs, num_samples, counts)
        entropies = completion_entropies(
            model,
            repeated,
            generated,
            mask,
            sampling.temperature,
            rows_per_pass=score_rows,
            images_per_row=[c for c in counts for _ in range(num_samples)],
        )
        mean_entropy = masked_mean(entropies, mask).tolist()
        forking_entropy = top_share_mean(entropies, mask, FORKING_SHARE).tolist()
        answer_entropy = answer_token_entropies(processor.tokenizer, generated, mask, entropies)
    else:
        mean_entropy = forking_entropy = answer_entropy = [None] * generated.shape[0]
    entropies = (mean_entropy, answer_entropy, forking_entropy)
    return completion_rows(processor, pairs, generated, mask, num_samples, *entropies)


def completion_rows(
    processor,
    pairs: list[dict],
    generated: torch.Tensor,
    mask: torch.Tensor,
    num_samples: int,
    mean_entropy: list | None = None,
    answer_entropy: list | None = None,
    forking_entropy: list | None = None,
) -> list[dict]:
    """One row per completion: its text, parsed answer and format, token count and entropies (None: greedy)."""
    none = [None] * generated.shape[0]
    mean_entropy, answer_entropy, forking_entropy = (v or none for v in (mean_entropy, answer_entropy, forking_entropy))
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
                "answer_token_entropy": answer_entropy[index],
                "forking_token_entropy": forking_entropy[index],
            }
        )
    return rows


def answer_token_entropies(tokenizer, generated: torch.Tensor, mask: torch.Tensor, entropies: torch.Tensor) -> list:
    """Per completion, the entropy of the token that carries the answer digit (None when no answer parses).

    The digit is found in the completion's tokens decoded one by one, so the character found maps
    back to a token even where decoding the whole completion would merge or clean up spaces.
    """
    out = []
    for ids, keep, values in zip(generated.tolist(), mask.tolist(), entropies, strict=True):
        pieces = tokenizer.batch_decode([[i] for i, k in zip(ids, keep, strict=True) if k], skip_special_tokens=True)
        char = answer_char("".join(pieces))
        token = token_at_char(pieces, char) if char is not None else None
        out.append(float(values[token]) if token is not None else None)
    return out
