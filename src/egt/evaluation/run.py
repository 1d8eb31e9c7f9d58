"""Benchmark evaluation: greedy judgments in both presentation orders."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from egt.data.benchmarks import benchmark_metrics
from egt.generation.judge import judge_pairs
from egt.modeling import load_model, load_processor
from egt.schemas import JUDGMENT_SCHEMA
from egt.training import checkpoints


def score_judgments(judgments: pl.DataFrame, labels: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Add ``preferred``/``correct`` and compute the metrics.

    ``judgments`` has one row per pair and order with the raw ``answer``. Metrics:
    - accuracy: share of (pair, order) judgments that prefer the labelled response;
    - accuracy_original / accuracy_swapped: the same per order;
    - accuracy_both_orders: pairs right in both orders;
    - format_rate: share of judgments in the exact answer format;
    - unparseable_rate: share of judgments with no readable answer (counted wrong);
    - position_consistency: pairs whose preferred response is the same in both orders.
    """
    scored = (
        judgments.join(labels.select("pair_id", "label"), on="pair_id", how="left")
        .with_columns(
            pl.when(pl.col("order") == "swapped")
            .then(3 - pl.col("answer"))
            .otherwise(pl.col("answer"))
            .cast(pl.Int8)
            .alias("preferred")
        )
        .with_columns((pl.col("preferred") == pl.col("label")).fill_null(False).alias("correct"))
    )
    per_pair = scored.group_by("pair_id").agg(
        pl.col("correct").all().alias("both_right"),
        ((pl.col("preferred").n_unique() == 1) & pl.col("preferred").is_not_null().all()).alias("consistent"),
    )

    def order_accuracy(order: str) -> float:
        return float(scored.filter(pl.col("order") == order)["correct"].mean())

    metrics = {
        "pairs": labels.height,
        "accuracy": float(scored["correct"].mean()),
        "accuracy_original": order_accuracy("original"),
        "accuracy_swapped": order_accuracy("swapped"),
        "accuracy_both_orders": float(per_pair["both_right"].mean()),
        "format_rate": float(scored["format_ok"].mean()),
        "unparseable_rate": float(scored["answer"].is_null().mean()),
        "position_consistency": float(per_pair["consistent"].mean()),
    }
    return scored.select(list(JUDGMENT_SCHEMA)).cast(JUDGMENT_SCHEMA).sort("pair_id", "order"), metrics


def evaluate_model(
    model_path: str,
    benchmark: pl.DataFrame,
    params: dict,
    seed: int,
    device: str,
    trust_remote_code: bool = False,
    cache_dir: str | Path | None = None,
) -> tuple[pl.DataFrame, dict]:
    """Judge ``benchmark`` greedily in both orders and score it.

    With ``cache_dir``, judgments are kept there as they are made (with a fingerprint of the
    model and parameters), so a killed evaluation continues from the pairs already judged;
    the folder is removed once the metrics are computed.
    """
    if cache_dir is not None:
        fingerprint = checkpoints.run_fingerprint(params, seed, model_path, {"pairs": benchmark["pair_id"].to_list()})
        checkpoints.resume_point(cache_dir, fingerprint)  # clears judgments made for other inputs
    model = load_model(model_path, trust_remote_code).to(device)
    processor = load_processor(model_path, trust_remote_code)
    frames = []
    for order in ("original", "swapped"):
        judged = judge_pairs(
            model,
            processor,
            benchmark,
            num_samples=1,
            temperature=None,
            max_new_tokens=params["max_new_tokens"],
            batch_size=params["batch_size"],
            seed=seed,
            swap=order == "swapped",
            desc=f"evaluate ({order} order)",
            cache=Path(cache_dir) / f"{order}.jsonl" if cache_dir is not None else None,
        )
        frames.append(judged.select("pair_id", "text", "answer", "format_ok").with_columns(order=pl.lit(order)))
    scored, metrics = score_judgments(pl.concat(frames), benchmark)
    if {"category", "group"} <= set(benchmark.columns):
        # real benchmarks: per-category, macro and Acc+ as their papers report them
        metrics.update({k: v for k, v in benchmark_metrics(scored, benchmark).items() if k not in metrics})
    return scored, metrics


def finish_evaluation(cache_dir: str | Path | None) -> None:
    """Called once the outputs are written: the judgment cache is no longer needed."""
    if cache_dir is not None:
        checkpoints.clear(cache_dir)
