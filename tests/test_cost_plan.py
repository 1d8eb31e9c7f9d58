"""The cost plan's arithmetic, checked by hand on the paper and rehearsal configs."""

import polars as pl
import pytest
from conftest import REPO

from egt.config import load_config, merge
from egt.cost_plan import plan, render

PAPER, REHEARSAL = REPO / "config/paper.yaml", REPO / "config/rehearsal.yaml"


def by_name(jobs):
    return {job.name: job for job in jobs}


def test_the_paper_plan_by_hand():
    jobs = by_name(plan(load_config(PAPER)))
    # a prompt: 600 text tokens + 1,003,520 / 784 = 1,280 image tokens (model.max_pixels) = 1,880
    sft = jobs["sft"]  # 2,000 steps x 64 examples x (1,880 + 1,024 trace tokens), at 8,000 tokens/s per GPU
    assert sft.processed == 2_000 * 64 * 2_904 == 371_712_000
    assert sft.gpu_hours["hf"] == pytest.approx(371_712_000 / 8_000 / 3_600)  # 12.9 GPU-h
    assert sft.wall_min() == pytest.approx(60 * 12.906 / 8, rel=1e-3)  # 8 GPUs: 97 min
    stage = jobs["grpo stage 2"]  # 500 steps x 64 completions of 1,024 tokens; beta 0: no reference pass
    assert stage.generated == 32_768_000 and stage.processed == 32_000 * 2_904
    # HF: 8 sequences per GPU at 32.5 ms a step = 246 tokens/s; vLLM colocated: 8 / 8.5 ms = 941 tokens/s
    hf = (32_768_000 / (8 / 0.0325) + 92_928_000 / 8_000) / 3_600
    vllm = (32_768_000 / (8 / 0.0085) + 92_928_000 / 8_000) / 3_600
    assert stage.gpu_hours == pytest.approx({"hf": hf, "vllm": vllm})  # 40.2 and 12.9 GPU-h
    assert stage.wall_min() == pytest.approx(60 * hf / 8)  # 302 min: the review's 5-7 h a stage
    shard = jobs["rollout shard 0"]  # 17,261 published pairs / 64 shards x 8 samples x 1,024 tokens
    assert shard.generated == pytest.approx(17_261 / 64 * 8 * 1_024)
    vl = jobs["evaluate final on benchmark_vl_rewardbench"]  # 1,247 pairs x 2 orders x 4,096 tokens
    assert vl.generated == 1_247 * 2 * 4_096 and vl.processed == 1_247 * 2 * 1_880
    assert vl.gpu_hours["hf"] == pytest.approx((vl.generated / (16 / 0.0325) + vl.processed / 20_000) / 3_600)
    assert len(jobs) == 1 + 64 + 3 + 3 * 2  # SFT, shards, stages, 3 benchmarks x (sft, final)


def test_jobs_over_their_limit_are_flagged_and_vllm_clears_them():
    paper = load_config(PAPER)
    text = render(plan(paper))
    # HF evaluation of VL-RewardBench: 10.2M tokens at 492 tokens/s = 350 min > 240
    assert "WARNING: evaluate final on benchmark_vl_rewardbench is estimated at 350 min" in text
    assert "WARNING: grpo" not in text and "WARNING: sft" not in text
    with_vllm = render(plan(merge(paper, {"evaluation": {"engine": "vllm"}})))
    assert "WARNING" not in with_vllm  # Multimodal RewardBench: 1,321 min with HF, 100 with vLLM
    assert "| evaluate | 6 |" in with_vllm and "| vllm |" in with_vllm


def test_the_adapted_data_counts_replace_the_published_sizes(tmp_path):
    config = load_config(PAPER, REHEARSAL)
    pl.DataFrame({"pair_id": [str(i) for i in range(30)]}).write_parquet(tmp_path / "pool.parquet")
    jobs = by_name(plan(config, tmp_path))
    # rehearsal: 2 shards of 15 pairs x 2 samples x 24 tokens
    assert jobs["rollout shard 1"].generated == 15 * 2 * 24
    published = by_name(plan(config))["rollout shard 1"].generated
    assert published == pytest.approx(17_261 / 2 * 2 * 24)
