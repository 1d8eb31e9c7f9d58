"""Column schemas of the step hand-offs (see docs/pipeline.md, "Output schemas").

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

# data/{dataset}.parquet of a real source (egt.data.adapters): the pair columns and where each came from.
SOURCE_PAIR_SCHEMA = {
    **PAIR_COLUMNS,
    "source_id": pl.String,  # the source's own id (made unique with #2, #3 … where it repeats)
    "source_row": pl.UInt32,  # the record's position in the source's files, in reading order
    "frames": pl.List(pl.Binary),  # a video item's sampled frames (image = its middle frame); null otherwise
    "category": pl.String,  # the benchmark's category of the pair (its official split)
    "group": pl.String,  # pairs that must all be right together (MM-RLHF-RewardBench's Acc+); else the pair
    "reasoning": pl.String,  # a reasoning trace, where the source has one (egt_pairs)
}

# data/{dataset}.skipped.parquet: records an adapter could not turn into a pair.
SKIPPED_SCHEMA = {
    "source_id": pl.String,
    "file": pl.String,  # relative to the source folder
    "row": pl.UInt32,  # 0-based record number within that file
    "reason": pl.String,
}

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
    "mean_token_entropy": pl.Float32,  # mean over the generated tokens (sampled judgments; null when greedy)
    "answer_token_entropy": pl.Float32,  # at the answer digit; null when greedy or no answer was parsed
    "forking_token_entropy": pl.Float32,  # mean over its highest-entropy tokens (egt.generation.FORKING_SHARE)
}

# entropy/pair_entropy.parquet, curation/{kept,dropped}.parquet: one pair per row, then one Float64 column
# per registered curation signal (egt.curation.signals; pair_entropy, the paper's, among them).
PAIR_COLUMNS_OF_ENTROPY_TABLE = {
    "pair_id": pl.String,
    "label": pl.Int8,
    "num_samples": pl.UInt32,
    "entropy_std": pl.Float64,  # std over samples of the mean per-token entropy (0 when K = 1)
    "majority_answer": pl.Int8,  # most frequent parsed answer; null if none parsed; ties -> 1
    "accuracy": pl.Float64,  # share of samples whose answer equals label (unparseable = wrong)
    "format_rate": pl.Float64,  # share of samples in the exact answer format
}


def pair_entropy_schema() -> dict:
    """The pair table's columns: the fixed ones, then each registered signal's (higher = more suspect)."""
    from egt.curation.signals import SIGNALS  # polars only; imported here so a signal registered late counts

    return {**PAIR_COLUMNS_OF_ENTROPY_TABLE, **{name: pl.Float64 for name in SIGNALS}}


# What every reader of the pair table needs (the registered signals are checked where they are used).
PAIR_ENTROPY_SCHEMA = {**PAIR_COLUMNS_OF_ENTROPY_TABLE, "pair_entropy": pl.Float64}

# entropy/entropy_bins.parquet: equal-count bins of pair entropy.
ENTROPY_BIN_SCHEMA = {
    "bin": pl.UInt32,
    "entropy_min": pl.Float64,
    "entropy_max": pl.Float64,
    "n": pl.UInt32,
    "accuracy": pl.Float64,
}

# evaluation/{model}/{dataset}.parquet: one greedy judgment per pair and presentation order.
JUDGMENT_SCHEMA = {
    "pair_id": pl.String,
    "order": pl.String,  # "original" (label as given) or "swapped" (responses exchanged)
    "text": pl.String,
    "answer": pl.Int8,  # as presented: 1 or 2, null if unparseable
    "format_ok": pl.Boolean,
    "preferred": pl.Int8,  # answer mapped back to the original order
    "correct": pl.Boolean,  # preferred == label (unparseable counts as wrong)
}
