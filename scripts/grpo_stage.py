"""Rule grpo_stage (and the ablation's copy of it): GRPO on one curriculum stage."""

from pathlib import Path

import polars as pl

from egt.io import read_parquet, redirect_output, write_json
from egt.schemas import PAIR_COLUMNS
from egt.training.launch import run_training

redirect_output(snakemake.log[0])
stage = int(snakemake.wildcards.stage)
stages = read_parquet(snakemake.input.stages, {"pair_id": pl.String, "stage": pl.Int32})
pool = read_parquet(snakemake.input.pool, PAIR_COLUMNS)
pairs = pool.join(stages.filter(pl.col("stage") == stage).select("pair_id"), on="pair_id", how="semi")
repo = Path(snakemake.scriptdir).parent
history = run_training("grpo", pairs, snakemake.input.init_model, snakemake.output.model, snakemake.params.job, repo)
write_json(history, snakemake.output.history)
print(f"grpo_stage: stage {stage} trained on {pairs.height} pairs from {snakemake.input.init_model}")
