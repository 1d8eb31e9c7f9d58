"""Rule ablation_schedule: the pairs one ablation run trains on, in curriculum stages."""

from egt.analysis.ablation.plan import schedule
from egt.io import read_parquet, redirect_output, write_parquet
from egt.schemas import PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
pairs = read_parquet(snakemake.input[0], PAIR_ENTROPY_SCHEMA)
params = snakemake.params
stages = schedule(pairs, params.keep_quantile, params.order, params.stages, params.seed)
write_parquet(stages, snakemake.output[0])
print(
    f"ablation_schedule: {snakemake.wildcards.variant} seed {snakemake.wildcards.seed}: "
    f"{stages.height} of {pairs.height} pairs in {params.stages} stages ({params.order})"
)
