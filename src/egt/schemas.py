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
    "difficulty": pl.Float32,  # ambiguity: colour blend weight in [0, 0.5)
}
