"""Rollouts: K sampled judgments per pool pair, sharded so shards run and rerun alone."""

from __future__ import annotations

import polars as pl

from egt.generation.pairs import judge_pairs
from egt.generation.sampling import Sampling
from egt.judging import Judging
from egt.modeling import load_model, load_processor


def shard_pairs(pool: pl.DataFrame, shard: int, num_shards: int) -> pl.DataFrame:
    """Every ``num_shards``-th pair in ``pair_id`` order, starting at ``shard``."""
    if not 0 <= shard < num_shards:
        raise ValueError(f"shard {shard} is outside 0..{num_shards - 1}")
    return pool.sort("pair_id").gather_every(num_shards, offset=shard)


def rollout_sampling(params: dict) -> Sampling:
    """The rollout's sampling configuration (config ``rollout``)."""
    return Sampling(
        max_new_tokens=params["max_new_tokens"], temperature=params["temperature"], num_samples=params["num_samples"]
    )


def rollout_shard(
    model_path: str,
    pool: pl.DataFrame,
    shard: int,
    params: dict,
    seed: int,
    device: str,
    judging: Judging,
) -> pl.DataFrame:
    pairs = shard_pairs(pool, shard, params["shards"])
    if params.get("engine", "hf") == "vllm":
        from egt.generation.vllm_engine import sample_with_vllm

        return sample_with_vllm(model_path, pairs, params, seed, judging)
    model = load_model(model_path, judging.trust_remote_code).to(device)
    processor = load_processor(model_path, judging.trust_remote_code, judging.pixels)
    # A distinct, fixed stream per shard: a shard rerun alone gives the same rollouts.
    return judge_pairs(
        model,
        processor,
        pairs,
        rollout_sampling(params),
        batch_size=params["batch_size"],
        seed=seed * 100_003 + shard,
        desc=f"rollout shard {shard}",
        template=judging.template,
        score_rows=params.get("score_rows"),
    )
