"""Rule ablation_schedule: the pairs one ablation run trains on, in curriculum stages."""

import polars as pl

from egt.analysis.ablation.plan import Variant, schedule
from egt.curation.signals import signal
from egt.io import read_parquet, redirect_output, write_parquet
from egt.schemas import PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
variant, params = Variant.parse(snakemake.wildcards.variant), snakemake.params
by = signal(params.signal).name
pairs = read_parquet(snakemake.input[0], {**PAIR_ENTROPY_SCHEMA, by: pl.Float64})
stages = schedule(pairs, variant, params.stages, params.seed, by)
write_parquet(stages, snakemake.output[0])
print(
    f"ablation_schedule: {variant.name} seed {params.seed}: {stages.height} of {pairs.height} pairs "
    f"in {params.stages} stages ({variant.order})"
)
