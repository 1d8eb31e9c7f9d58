"""Rollouts and greedy benchmark judgments by vLLM on GPUs, with the HF path's prompts and parsing.

Rollouts (``rollout.engine: vllm``): vLLM only produces the token ids. Each batch is then re-scored by
the HF model, teacher-forced in passes of ``rollout.score_rows`` completions
(:func:`egt.generation.judge.judgment_rows`), so entropies do not depend on the engine. Evaluation
(``evaluation.engine: vllm``): greedy judgments in either order, parsed into the same rows as the HF
path's (:func:`egt.generation.judge.completion_rows`) and kept in the same resumable judgment cache.
GRPO's vLLM is TRL's (egt.training.grpo.engine_args). vLLM is a CUDA-only wheel: it lives in
``envs/vllm.yaml`` and is imported only here. Everything but the ``LLM`` calls is tested on CPU
(:func:`vllm_requests`, :func:`rows_from_token_ids`); the calls have never run (no GPU was available
while this was built; see docs/paper.md).

Read against vllm 0.30.0 (the wheel's sources): ``LLM(model, seed, trust_remote_code,
limit_mm_per_prompt, mm_processor_kwargs)`` (engine/arg_utils.py:587,595); ``generate`` takes one
``SamplingParams`` per request (entrypoints/llm.py:418-421); Qwen2.5-VL's ``min_pixels`` /
``max_pixels`` processor kwargs set the image budget (model_executor/models/qwen2_vl.py:902-905).
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import polars as pl
import torch

from egt.data.images import open_image
from egt.generation.entropy import generated_token_mask
from egt.generation.judge import completion_rows, judgment_rows, prompts_and_images
from egt.generation.pairs import read_judgment_cache
from egt.generation.rollout import rollout_sampling
from egt.generation.sampling import Sampling, request_seeds
from egt.judging import Judging
from egt.modeling import eos_token_ids, load_model, load_processor, vision_token_ids
from egt.schemas import ROLLOUT_SCHEMA


class VisionTokenSampled(RuntimeError):
    pass


def vllm_requests(
    processor, records: list[dict], sampling: Sampling, seed: int, template: str, swap: bool = False
) -> tuple[list, list]:
    """The prompts (with their images) and per-request ``SamplingParams`` keyword arguments.

    The same chat-formatted prompts as the HF path, in either order; a video item contributes its frames
    as images. Each request has its own seed (:func:`egt.generation.sampling.request_seeds`) and vision
    tokens banned at sampling time.
    """
    texts, _ = prompts_and_images(processor, records, template=template, swap=swap)
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


def engine_kwargs(model_path: str, records: list[dict], seed: int, judging: Judging) -> dict:
    """``vllm.LLM``'s arguments: as many images per prompt as the longest video item has frames, and the
    config's image budget (``model.min_pixels``/``max_pixels``)."""
    most_images = max((len(r.get("frames") or [None]) for r in records), default=1)
    return {
        "model": model_path,
        "seed": seed,
        "trust_remote_code": judging.trust_remote_code,
        "limit_mm_per_prompt": {"image": most_images},
        "mm_processor_kwargs": {k: v for k, v in (judging.pixels or {}).items() if v is not None} or None,
    }


def rows_from_token_ids(processor, records: list[dict], token_ids: list[list[int]], eos_ids: list[int]) -> list[dict]:
    """Greedy judgment rows from vLLM's completion token ids, as the HF path makes them from its own."""
    pad = processor.tokenizer.pad_token_id
    width = max((len(ids) for ids in token_ids), default=0) or 1
    generated = torch.tensor([ids + [pad] * (width - len(ids)) for ids in token_ids], dtype=torch.long)
    return completion_rows(processor, records, generated, generated_token_mask(generated, eos_ids), 1)


def judge_with_vllm(
    model_path: str,
    pairs: pl.DataFrame,
    sampling: Sampling,
    seed: int,
    judging: Judging,
    orders: tuple[str, ...] = ("original", "swapped"),
    cache_dir=None,
    chunk: int = 256,
) -> dict[str, pl.DataFrame]:
    """Greedy judgments of every pair in each order (``evaluation.engine: vllm``), one engine for all.

    Pairs already in ``cache_dir/<order>.jsonl`` (the HF path's cache format) are not judged again;
    each ``chunk`` of pairs is appended as it finishes, so a killed job continues where it stopped.
    """
    from vllm import LLM, SamplingParams  # only in envs/vllm.yaml

    if not sampling.greedy:
        raise ValueError("judge_with_vllm judges greedily (a judgment cache is only consistent for greedy decoding)")
    processor = load_processor(model_path, judging.trust_remote_code, judging.pixels)
    eos_ids = eos_token_ids(model_path, judging.trust_remote_code)
    columns = ["pair_id", "image", "question", "response_1", "response_2"]
    records = pairs.select(columns + (["frames"] if "frames" in pairs.columns else [])).to_dicts()
    llm = LLM(**engine_kwargs(model_path, records, seed, judging))
    judged = {}
    for order in orders:
        cache = Path(cache_dir) / f"{order}.jsonl" if cache_dir is not None else None
        cached = read_judgment_cache(cache)
        todo = [r for r in records if r["pair_id"] not in cached]
        done = len(records) - len(todo)
        print(f"evaluate ({order} order, vLLM): {done} pairs cached, judging {len(todo)}", flush=True)
        for start in range(0, len(todo), chunk):
            batch = todo[start : start + chunk]
            prompts, kwargs = vllm_requests(processor, batch, sampling, seed, judging.template, swap=order == "swapped")
            outputs = llm.generate(prompts, [SamplingParams(**k) for k in kwargs])
            rows = rows_from_token_ids(processor, batch, [list(o.outputs[0].token_ids) for o in outputs], eos_ids)
            for row in rows:
                cached[row["pair_id"]] = [row]
            if cache is not None:
                with open(cache, "a") as sink:
                    sink.write("".join(json.dumps(row) + "\n" for row in rows))
        judged[order] = pl.DataFrame([cached[r["pair_id"]][0] for r in records], schema=ROLLOUT_SCHEMA)
    return judged


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
    prompts, kwargs = vllm_requests(processor, records, rollout_sampling(params), seed, template)
    llm = LLM(**engine_kwargs(model_path, records, seed, judging))
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
