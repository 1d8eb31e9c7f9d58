"""egt's own benchmark metrics: every pair judged in both presentation orders.

One function scores a benchmark's judgments. Pooling both orders makes a position habit visible
instead of rewarding it: a judge that always names the first response scores 50 %, not the share
of pairs whose preferred response happens to be listed first.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from egt.schemas import JUDGMENT_SCHEMA


def score_judgments(judgments: pl.DataFrame, pairs: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """Add ``preferred``/``correct`` to the judgments and compute the metrics.

    ``judgments`` has one row per pair and order (``original`` or ``swapped``) with the raw
    ``answer`` as presented and ``format_ok``; ``pairs`` has ``pair_id`` and ``label`` and, for
    real benchmarks, ``category`` and ``group``. Metrics:

    - accuracy: share of (pair, order) judgments that prefer the labelled response;
    - accuracy_original / accuracy_swapped: the same per order;
    - accuracy_both_orders: pairs right in both orders;
    - format_rate: share of judgments in the exact answer format;
    - unparseable_rate: share of judgments with no readable answer (counted wrong, never dropped);
    - position_consistency: pairs whose preferred response is the same in both orders;
    - with categories: per category accuracy and both-orders accuracy, macro accuracy (mean over
      categories) and Acc+ (share of groups whose every pair is right in both orders).
    """
    columns = ["pair_id", "label"] + [c for c in ("category", "group") if c in pairs.columns]
    scored = (
        judgments.join(pairs.select(columns), on="pair_id", how="left")
        .with_columns(
            pl.when(pl.col("order") == "swapped")
            .then(3 - pl.col("answer"))
            .otherwise(pl.col("answer"))
            .cast(pl.Int8)
            .alias("preferred")
        )
        .with_columns((pl.col("preferred") == pl.col("label")).fill_null(False).alias("correct"))
    )
    per_pair = scored.group_by(columns[:1] + columns[2:]).agg(
        pl.col("correct").all().alias("both_right"),
        pl.col("correct").mean().alias("accuracy"),
        ((pl.col("preferred").n_unique() == 1) & pl.col("preferred").is_not_null().all()).alias("consistent"),
    )

    def order_accuracy(order: str) -> float:
        return float(scored.filter(pl.col("order") == order)["correct"].mean())

    metrics = {
        "pairs": per_pair.height,
        "accuracy": float(scored["correct"].mean()),
        "accuracy_original": order_accuracy("original"),
        "accuracy_swapped": order_accuracy("swapped"),
        "accuracy_both_orders": float(per_pair["both_right"].mean()),
        "format_rate": float(scored["format_ok"].mean()),
        "unparseable_rate": float(scored["answer"].is_null().mean()),
        "position_consistency": float(per_pair["consistent"].mean()),
    }
    if "category" in columns:
        categories = (
            per_pair.group_by("category")
            .agg(pl.col("accuracy").mean(), pl.col("both_right").mean().alias("both_orders"), pl.len().alias("pairs"))
            .sort("category")
        )
        groups = per_pair.group_by("group").agg(pl.col("both_right").all())
        metrics |= {
            "macro_accuracy": float(categories["accuracy"].mean()),
            "acc_plus": float(groups["both_right"].mean()),
            "categories": {
                r["category"]: {k: r[k] for k in ("pairs", "accuracy", "both_orders")} for r in categories.to_dicts()
            },
        }
    return scored.select(list(JUDGMENT_SCHEMA)).cast(JUDGMENT_SCHEMA).sort("pair_id", "order"), metrics


def by_model_and_dataset(paths, read) -> dict[str, dict[str, object]]:
    """``{model: {dataset: read(path)}}`` for files laid out as ``evaluation/<model>/<dataset>.<ext>``."""
    out: dict[str, dict[str, object]] = {}
    for path in map(Path, paths):
        out.setdefault(path.parent.name, {})[path.stem] = read(path)
    return out
