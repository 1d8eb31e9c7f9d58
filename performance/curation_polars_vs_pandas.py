"""Entropy aggregation + quantile curation + curriculum split: polars (egt) vs pandas.

    python performance/curation_polars_vs_pandas.py [--pairs 1000000] [--samples 8] [--shards 64]

Writes a synthetic rollout set in the pipeline's schema (pairs x samples rows in parquet
shards) to a temporary folder, then runs each implementation in its own subprocess (so peak
RSS is its own) and prints median wall time, peak RSS and the ratios. The pandas version is a
straightforward equivalent: read the shards, merge labels, group by pair.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

KEEP_QUANTILE, STAGES, BINS = 0.7, 3, 10


def make_data(folder: Path, pairs: int, samples: int, shards: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)

    def pair_ids(index: np.ndarray) -> pl.Expr:
        return pl.lit(pl.Series(index)).cast(pl.String).str.zfill(8).str.replace(r"^", "pair-")

    pl.select(
        pair_id=pair_ids(np.arange(pairs)), label=pl.lit(pl.Series(rng.integers(1, 3, pairs)).cast(pl.Int8))
    ).write_parquet(folder / "labels.parquet")
    for shard, index in enumerate(np.array_split(np.arange(pairs), shards)):
        n = len(index) * samples
        answer = rng.integers(0, 3, n)  # 0 stands for unparseable
        pl.select(
            pair_id=pair_ids(np.repeat(index, samples)),
            sample=pl.lit(pl.Series(np.tile(np.arange(samples), len(index)))).cast(pl.Int32),
            text=pl.lit("<think>...</think><answer>1</answer>"),
            answer=pl.lit(pl.Series(answer)).cast(pl.Int8).replace(0, None),
            format_ok=pl.lit(pl.Series(rng.random(n) < 0.9)),
            num_tokens=pl.lit(pl.Series(rng.integers(20, 400, n))).cast(pl.Int32),
            mean_token_entropy=pl.lit(pl.Series(rng.gamma(2.0, 0.2, n))).cast(pl.Float32),
            # the per-rollout columns of the other curation signals (egt.curation.signals)
            answer_token_entropy=pl.lit(pl.Series(rng.gamma(2.0, 0.1, n))).cast(pl.Float32),
            forking_token_entropy=pl.lit(pl.Series(rng.gamma(2.0, 0.5, n))).cast(pl.Float32),
        ).write_parquet(folder / f"shard_{shard:04d}.parquet")


def run_polars(folder: Path) -> dict:
    from egt.analysis.stats import spearman_rho
    from egt.curation.curriculum import split_stages
    from egt.curation.pair_entropy import entropy_bins, pair_entropy_table
    from egt.curation.quantile import quantile_cut

    rollouts = pl.scan_parquet(sorted(folder.glob("shard_*.parquet")))
    labels = pl.scan_parquet(folder / "labels.parquet")
    pairs = pair_entropy_table(rollouts, labels).collect(engine="streaming")
    bins = entropy_bins(pairs, BINS)
    cut = quantile_cut(pairs, KEEP_QUANTILE)
    stages = split_stages(cut.kept, STAGES, "low_to_high", seed=0)
    return {
        "pairs": pairs.height,
        "kept": cut.kept.height,
        "bins": bins.height,
        "stages": int(stages["stage"].max()),
        "spearman": spearman_rho(pairs["pair_entropy"], pairs["accuracy"]),
    }


def run_pandas_merge_first(folder: Path) -> dict:
    """The straightforward pandas version: join every rollout row with its label, then group."""
    return run_pandas(folder, merge_first=True)


def run_pandas(folder: Path, merge_first: bool = False) -> dict:
    """The same computation and the same plan as egt (aggregate per pair, then join labels)."""
    import pandas as pd

    columns = ["pair_id", "answer", "format_ok", "mean_token_entropy"]
    frame = pd.concat([pd.read_parquet(p, columns=columns) for p in sorted(folder.glob("shard_*.parquet"))])
    labels = pd.read_parquet(folder / "labels.parquet")
    if merge_first:
        frame = frame.merge(labels, on="pair_id")
    frame["entropy"] = frame["mean_token_entropy"].astype("float64")
    frame["entropy_sq"] = frame["entropy"] ** 2
    frame["one"] = frame["answer"] == 1
    frame["two"] = frame["answer"] == 2
    pairs = (
        frame.groupby("pair_id", sort=False)
        .agg(
            num_samples=("answer", "size"),
            pair_entropy=("entropy", "mean"),
            entropy_sq=("entropy_sq", "mean"),
            ones=("one", "sum"),
            twos=("two", "sum"),
            format_rate=("format_ok", "mean"),
            **({"label": ("label", "first")} if merge_first else {}),
        )
        .reset_index()
    )
    # population std (ddof=0), as in egt.curation.pair_entropy
    pairs["entropy_std"] = np.sqrt((pairs.pop("entropy_sq") - pairs["pair_entropy"] ** 2).clip(lower=0))
    if not merge_first:
        pairs = pairs.merge(labels, on="pair_id")
    pairs["accuracy"] = np.where(pairs["label"] == 1, pairs["ones"], pairs["twos"]) / pairs["num_samples"]
    pairs["majority_answer"] = np.where(
        pairs["ones"] + pairs["twos"] == 0, np.nan, np.where(pairs["ones"] >= pairs["twos"], 1, 2)
    )
    pairs = pairs.sort_values("pair_id").reset_index(drop=True)
    ordered = pairs.sort_values(["pair_entropy", "pair_id"]).reset_index(drop=True)
    ordered["bin"] = np.arange(len(ordered)) * BINS // len(ordered)
    bins = ordered.groupby("bin").agg(
        lo=("pair_entropy", "min"), hi=("pair_entropy", "max"), n=("pair_id", "size"), accuracy=("accuracy", "mean")
    )
    kept = ordered.head(math.ceil(round(KEEP_QUANTILE * len(ordered), 9))).copy()
    kept["stage"] = np.arange(len(kept)) * STAGES // len(kept) + 1
    rho = pairs["pair_entropy"].rank().corr(pairs["accuracy"].rank())
    return {
        "pairs": len(pairs),
        "kept": len(kept),
        "bins": len(bins),
        "stages": int(kept["stage"].max()),
        "spearman": float(rho),
    }


METHODS = {"polars": run_polars, "pandas": run_pandas, "pandas-merge-first": run_pandas_merge_first}


def child(method: str, folder: Path) -> None:
    # imports are not part of the measured work
    import pandas  # noqa: F401

    import egt.curation.curriculum  # noqa: F401
    import egt.curation.pair_entropy  # noqa: F401
    import egt.curation.quantile  # noqa: F401

    start = time.perf_counter()
    result = METHODS[method](folder)
    result["seconds"] = time.perf_counter() - start
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--shards", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        make_data(folder, args.pairs, args.samples, args.shards)
        print(
            f"{args.pairs} pairs x {args.samples} samples = {args.pairs * args.samples} rows in {args.shards} shards "
            f"(generated in {time.perf_counter() - start:.1f} s)"
        )
        runs = {name: [] for name in METHODS}
        for _ in range(args.repeats):
            for method in runs:  # interleaved, so drift on a shared machine hits both
                out = subprocess.run(
                    [sys.executable, __file__, "--child", method, str(folder)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs[method].append(json.loads(out))
    summary = {
        m: {
            "median_s": statistics.median(r["seconds"] for r in rs),
            "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in rs),
            "result": rs[0],
        }
        for m, rs in runs.items()
    }
    pol = summary["polars"]
    for name in METHODS:
        assert summary[name]["result"]["kept"] == pol["result"]["kept"], name
        assert abs(summary[name]["result"]["spearman"] - pol["result"]["spearman"]) < 1e-6, name
    print(f"{'method':<20} {'median time (s)':>16} {'peak RSS (MB)':>14} {'polars speed-up':>16} {'memory ratio':>13}")
    for name in METHODS:
        m = summary[name]
        print(
            f"{name:<20} {m['median_s']:>16.2f} {m['peak_rss_mb']:>14.0f} "
            f"{m['median_s'] / pol['median_s']:>15.1f}x {m['peak_rss_mb'] / pol['peak_rss_mb']:>12.1f}x"
        )


if __name__ == "__main__":
    main()
