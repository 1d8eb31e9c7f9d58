"""Rollouts sampled by vLLM on GPUs; entropy still from egt's own teacher-forced scorer.

vLLM only produces the token ids. Each batch is then re-scored by the HF model, teacher-forced in
passes of ``rollout.score_rows`` completions (:func:`egt.generation.judge.judgment_rows`), so entropies
do not depend on the engine. vLLM is
a CUDA-only wheel pinning its own torch: it lives in ``envs/vllm.yaml`` and is imported only
here. Everything but the ``LLM`` call itself is tested on CPU (:func:`vllm_requests`); the call
has never run (no GPU was available while this was built; see docs/paper.md).

Read against vllm 0.33.0: ``LLM(model, seed, trust_remote_code, limit_mm_per_prompt,
mm_processor_kwargs)`` (engine/arg_utils.py:519,652,660); ``generate`` takes one ``SamplingParams``
per request (entrypoints/llm.py:420); explicit ``SamplingParams`` take only the stop ids from the
checkpoint's generation config (sampling_params.py:775-803); Qwen2.5-VL's ``min_pixels`` /
``max_pixels`` processor kwargs set the image budget (model_executor/models/qwen2_vl.py:958-976).
"""

from __future__ import annotations

import gc

import polars as pl
import torch

from egt.data.images import open_image
from egt.generation.judge import judgment_rows, prompts_and_images
from egt.generation.rollout import rollout_sampling
from egt.generation.sampling import request_seeds
from egt.judging import Judging
from egt.modeling import load_model, load_processor, vision_token_ids
from egt.schemas import ROLLOUT_SCHEMA


class VisionTokenSampled(RuntimeError):
    pass


def vllm_requests(processor, records: list[dict], params: dict, seed: int, template: str) -> tuple[list, list]:
    """The prompts (with their images) and per-request ``SamplingParams`` keyword arguments.

    The same chat-formatted prompts as the HF path; a video item contributes its frames as images.
    Each request has its own seed (:func:`egt.generation.sampling.request_seeds`) and vision tokens
    banned at sampling time.
    """
    sampling = rollout_sampling(params)
    texts, _ = prompts_and_images(processor, records, template=template)
    seeds = request_seeds([r["pair_id"] for r in records], seed, sampling.num_samples)
    base = sampling.vllm_kwargs(vision_token_ids(processor))
    prompts, kwargs = [], []
    for text, record, request_seed in zip(texts, records, seeds, strict=True):
        pictures = record.get("frames") or [record["image"]]
        images = [open_image(p) for p in pictures]
        prompts.append({"prompt": text, "multi_modal_data": {"image": images if len(images) > 1 else images[0]}})
        kwargs.append({**base, "seed": request_seed})
    return prompts, kwargs


def check_no_vision_tokens(token_ids: list[list[list[int]]], banned: list[int], records: list[dict]) -> None:
    """A sampled vision token breaks re-scoring; the bias should make it impossible, so say which pair."""
    banned = set(banned)
    for record, completions in zip(records, token_ids, strict=True):
        if any(banned & set(c) for c in completions):
            raise VisionTokenSampled(f"pair {record['pair_id']}: vLLM sampled a vision token despite the -100 bias")


def sample_with_vllm(
    model_path: str,
    pairs: pl.DataFrame,
    params: dict,
    seed: int,
    judging: Judging,
):
    from vllm import LLM, SamplingParams  # only in envs/vllm.yaml

    trust_remote_code, template, pixels = judging.trust_remote_code, judging.template, judging.pixels
    processor = load_processor(model_path, trust_remote_code, pixels)
    columns = ["pair_id", "image", "question", "response_1", "response_2"]
    records = pairs.select(columns + (["frames"] if "frames" in pairs.columns else [])).to_dicts()
    prompts, kwargs = vllm_requests(processor, records, params, seed, template)
    most_images = max((len(r.get("frames") or [None]) for r in records), default=1)
    llm = LLM(
        model=model_path,
        seed=seed,
        trust_remote_code=trust_remote_code,
        limit_mm_per_prompt={"image": most_images},
        mm_processor_kwargs={k: v for k, v in (pixels or {}).items() if v is not None} or None,
    )
    outputs = llm.generate(prompts, [SamplingParams(**k) for k in kwargs])
    token_ids = [[list(c.token_ids) for c in out.outputs] for out in outputs]
    del llm  # free the GPU for the scorer
    gc.collect()
    torch.cuda.empty_cache()
    check_no_vision_tokens(token_ids, vision_token_ids(processor), records)

    model = load_model(model_path, trust_remote_code).to("cuda")
    pad = processor.tokenizer.pad_token_id
    sampling = rollout_sampling(params)
    rows = []
    batch = params["batch_size"]
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        completions = [c for ids in token_ids[start : start + batch] for c in ids]
        width = max(len(c) for c in completions)
        generated = torch.tensor([c + [pad] * (width - len(c)) for c in completions], device=model.device)
        prompt_texts, images = prompts_and_images(processor, chunk, template=template)
        inputs = processor(text=prompt_texts, images=images, return_tensors="pt", padding=True).to(model.device)
        rows.extend(judgment_rows(model, processor, chunk, inputs, generated, sampling, params.get("score_rows")))
    return pl.DataFrame(rows, schema=ROLLOUT_SCHEMA)
