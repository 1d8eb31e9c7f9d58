"""Rollouts sampled by vLLM on GPUs; entropy still from egt's own teacher-forced scorer.

vLLM only produces the token ids. Each batch is then re-scored by the HF model in one forward
pass (:func:`egt.generation.judge.judgment_rows`), so entropies do not depend on the engine. vLLM is
a CUDA-only wheel pinning its own torch: it lives in ``envs/vllm.yaml`` and is imported only
here. Not exercised by the tests (it cannot be installed on the CPU development machines).
"""

from __future__ import annotations

import gc

import polars as pl
import torch

from egt.generation.judge import judgment_rows, prompts_and_images
from egt.modeling import load_model, load_processor, vision_token_ids
from egt.schemas import ROLLOUT_SCHEMA
from egt.training.datasets import decode_image


def sample_with_vllm(
    model_path: str,
    pairs: pl.DataFrame,
    params: dict,
    seed: int,
    trust_remote_code: bool = False,
    template: str = "egt",
):
    from vllm import LLM, SamplingParams  # only in envs/vllm.yaml

    processor = load_processor(model_path, trust_remote_code)
    records = pairs.select("pair_id", "image", "question", "response_1", "response_2").to_dicts()
    texts, _ = prompts_and_images(processor, records, template=template)
    llm = LLM(model=model_path, seed=seed, trust_remote_code=trust_remote_code, limit_mm_per_prompt={"image": 1})
    sampling = SamplingParams(
        n=params["num_samples"],
        temperature=params["temperature"],
        top_k=-1,
        top_p=1.0,
        max_tokens=params["max_new_tokens"],
        seed=seed,
        skip_special_tokens=False,
    )
    requests = [
        {"prompt": t, "multi_modal_data": {"image": decode_image(r["image"])}}
        for t, r in zip(texts, records, strict=True)
    ]
    outputs = llm.generate(requests, sampling)
    token_ids = [[list(c.token_ids) for c in out.outputs] for out in outputs]
    del llm  # free the GPU for the scorer
    gc.collect()
    torch.cuda.empty_cache()

    model = load_model(model_path, trust_remote_code).to("cuda")
    pad = processor.tokenizer.pad_token_id
    assert not set(vision_token_ids(processor)) & {t for ids in token_ids for c in ids for t in c}, (
        "vision token sampled"
    )
    rows = []
    batch = params["batch_size"]
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        completions = [c for ids in token_ids[start : start + batch] for c in ids]
        width = max(len(c) for c in completions)
        generated = torch.tensor([c + [pad] * (width - len(c)) for c in completions], device=model.device)
        prompt_texts, images = prompts_and_images(processor, chunk, template=template)
        inputs = processor(text=prompt_texts, images=images, return_tensors="pt", padding=True).to(model.device)
        rows.extend(
            judgment_rows(model, processor, chunk, inputs, generated, params["num_samples"], params["temperature"])
        )
    return pl.DataFrame(rows, schema=ROLLOUT_SCHEMA)
