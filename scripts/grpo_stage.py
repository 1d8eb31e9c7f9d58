"""Rule grpo_stage: GRPO on one curriculum stage."""

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
params = snakemake.params
kwargs = {
    "init_model": snakemake.input.init_model,
    "out_dir": snakemake.output.model,
    "params": params.grpo,
    "seed": params.seed + stage,
    "use_cpu": params.use_cpu,
    "checkpoint_dir": params.checkpoint_dir,
    "save_steps": params.save_steps,
    "trust_remote_code": params.trust_remote_code,
}
repo = Path(snakemake.scriptdir).parent
history = run_training("grpo", pairs, kwargs, params.processes, params.accelerate_config, repo)
write_json(history, snakemake.output.history)
print(f"grpo_stage: stage {stage} trained on {pairs.height} pairs from {snakemake.input.init_model}")
