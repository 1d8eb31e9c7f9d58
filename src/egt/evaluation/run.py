"""Benchmark evaluation: greedy judgments in both presentation orders."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from egt.benchmarks import official_metrics
from egt.evaluation.metrics import score_judgments
from egt.generation.pairs import judge_pairs
from egt.generation.sampling import Sampling
from egt.judging import Judging
from egt.modeling import load_model, load_processor
from egt.provenance.fingerprint import claim_folder, fingerprint, frame_digest, path_digest


def evaluate_model(
    model_path: str,
    benchmark: pl.DataFrame,
    params: dict,
    seed: int,
    device: str,
    judging: Judging,
    cache_dir: str | Path | None = None,
    scorer: str = "toy",
) -> tuple[pl.DataFrame, dict]:
    """Judge ``benchmark`` greedily in both orders and score it.

    With ``cache_dir``, judgments are kept there as they are made (with a fingerprint of the
    model and parameters), so a killed evaluation continues from the pairs already judged;
    the folder is removed once the metrics are computed.
    """
    if cache_dir is not None:
        digest = fingerprint(
            params=params,
            seed=seed,
            template=judging.template,
            pixels=judging.pixels,
            model=path_digest(model_path),
            pairs=frame_digest(benchmark),
        )
        claim_folder(cache_dir, digest)  # clears judgments made for other inputs
    greedy = Sampling(max_new_tokens=params["max_new_tokens"])
    if params.get("engine", "hf") == "vllm":
        from egt.generation.vllm_engine import judge_with_vllm  # vLLM: only in envs/vllm.yaml

        by_order = judge_with_vllm(model_path, benchmark, greedy, seed, judging, cache_dir=cache_dir)
    else:
        by_order = judge_with_hf(model_path, benchmark, greedy, params["batch_size"], seed, device, judging, cache_dir)
    frames = [
        judged.select("pair_id", "text", "answer", "format_ok").with_columns(order=pl.lit(order))
        for order, judged in by_order.items()
    ]
    scored, metrics = score_judgments(pl.concat(frames), benchmark)
    # the official protocol, from the same judgments: see egt.evaluation.official
    return scored, {**metrics, "official": official_metrics(scored, benchmark, scorer)}


def judge_with_hf(model_path, benchmark, greedy, batch_size, seed, device, judging, cache_dir) -> dict:
    """Greedy judgments in each order with transformers' generate, ``batch_size`` pairs per call."""
    model = load_model(model_path, judging.trust_remote_code).to(device)
    processor = load_processor(model_path, judging.trust_remote_code, judging.pixels)
    by_order = {}
    for order in ("original", "swapped"):
        by_order[order] = judge_pairs(
            model,
            processor,
            benchmark,
            greedy,
            batch_size=batch_size,
            seed=seed,
            swap=order == "swapped",
            desc=f"evaluate ({order} order)",
            cache=Path(cache_dir) / f"{order}.jsonl" if cache_dir is not None else None,
            template=judging.template,
        )
    return by_order


def finish_evaluation(cache_dir: str | Path | None) -> None:
    """Called once the outputs are written: the judgment cache is no longer needed."""
    if cache_dir is not None:
        shutil.rmtree(cache_dir, ignore_errors=True)
