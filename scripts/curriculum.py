"""Rule curriculum: split the kept pairs into stages by the curation signal."""

import polars as pl

from egt.curation.curriculum import split_stages, stage_summary
from egt.curation.signals import signal
from egt.io import read_parquet, redirect_output, write_json, write_parquet
from egt.schemas import PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
by = signal(snakemake.params.signal).name
kept = read_parquet(snakemake.input[0], {**PAIR_ENTROPY_SCHEMA, by: pl.Float64})
params = snakemake.params.curriculum
stages = split_stages(kept, params["stages"], params["order"], snakemake.params.seed, by)
write_parquet(stages, snakemake.output.stages)
write_json(
    {"order": params["order"], "signal": by, "stages": stage_summary(stages, by).to_dicts()},
    snakemake.output.stats,
)
print(f"curriculum: read {kept.height} kept pairs, wrote {params['stages']} stages ({params['order']} {by})")
