"""Rule grpo_stage: GRPO on one curriculum stage."""

import polars as pl

from egt.grpo import run_grpo_stage
from egt.io import read_parquet, redirect_output, write_json
from egt.schemas import PAIR_COLUMNS

redirect_output(snakemake.log[0])
stage = int(snakemake.wildcards.stage)
stages = read_parquet(snakemake.input.stages, {"pair_id": pl.String, "stage": pl.Int32})
pool = read_parquet(snakemake.input.pool, PAIR_COLUMNS)
pairs = pool.join(stages.filter(pl.col("stage") == stage).select("pair_id"), on="pair_id", how="semi")
history = run_grpo_stage(
    snakemake.input.init_model,
    pairs,
    snakemake.output.model,
    snakemake.params.grpo,
    seed=snakemake.params.seed + stage,
    use_cpu=snakemake.params.use_cpu,
    checkpoint_dir=snakemake.params.checkpoint_dir,
    save_steps=snakemake.params.save_steps,
    trust_remote_code=snakemake.params.trust_remote_code,
)
write_json(history, snakemake.output.history)
print(f"grpo_stage: stage {stage} trained on {pairs.height} pairs from {snakemake.input.init_model}")
