"""Column schemas of the stage hand-offs (see README, "Outputs").

Readers check the columns they need with :func:`egt.io.read_parquet`, so a wrong or stale
file fails with a message naming the file and the column.
"""

import polars as pl

# A preference pair: the pipeline's common currency (pool, benchmarks).
PAIR_COLUMNS = {
    "pair_id": pl.String,  # unique within a dataset
    "image": pl.Binary,  # encoded image (PNG/JPEG bytes)
    "question": pl.String,
    "response_1": pl.String,
    "response_2": pl.String,
    "label": pl.Int8,  # 1 or 2: the better response (may be noisy in the pool)
}

# SFT pairs carry the target reasoning chain in the R1-Reward format.
SFT_COLUMNS = {**PAIR_COLUMNS, "reasoning": pl.String}

# The toy world's truth, for reporting only.
HIDDEN_COLUMNS = {
    "pair_id": pl.String,
    "true_label": pl.Int8,
    "is_noisy": pl.Boolean,  # label != true_label
    "ambiguity": pl.Float32,  # colour blend weight in [0, 0.5): 0 = pure true colour
    "ideal_p1": pl.Float64,  # the ideal observer's P(response 1 is right | image)
}

# rollouts/shard_{i}.parquet: one sampled judgment per row.
ROLLOUT_SCHEMA = {
    "pair_id": pl.String,
    "sample": pl.Int32,
    "text": pl.String,
    "answer": pl.Int8,  # 1, 2, or null when unparseable
    "format_ok": pl.Boolean,
    "num_tokens": pl.Int32,
    "mean_token_entropy": pl.Float32,
}

# entropy/pair_entropy.parquet, curation/{kept,dropped}.parquet: one pair per row.
PAIR_ENTROPY_SCHEMA = {
    "pair_id": pl.String,
    "label": pl.Int8,
    "num_samples": pl.UInt32,
    "pair_entropy": pl.Float64,  # mean over samples of the mean per-token entropy (nats)
    "entropy_std": pl.Float64,  # std over samples (0 when K = 1)
    "majority_answer": pl.Int8,  # most frequent parsed answer; null if none parsed; ties -> 1
    "accuracy": pl.Float64,  # share of samples whose answer equals label (unparseable = wrong)
    "format_rate": pl.Float64,  # share of samples in the exact answer format
}

# entropy/entropy_bins.parquet: equal-count bins of pair entropy.
ENTROPY_BIN_SCHEMA = {
    "bin": pl.UInt32,
    "entropy_min": pl.Float64,
    "entropy_max": pl.Float64,
    "n": pl.UInt32,
    "accuracy": pl.Float64,
}

# eval/{model}/{benchmark}.parquet: one greedy judgment per pair and presentation order.
JUDGMENT_SCHEMA = {
    "pair_id": pl.String,
    "order": pl.String,  # "original" (label as given) or "swapped" (responses exchanged)
    "text": pl.String,
    "answer": pl.Int8,  # as presented: 1 or 2, null if unparseable
    "format_ok": pl.Boolean,
    "preferred": pl.Int8,  # answer mapped back to the original order
    "correct": pl.Boolean,  # preferred == label (unparseable counts as wrong)
}
