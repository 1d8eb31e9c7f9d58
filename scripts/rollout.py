"""Rule rollout: K sampled judgments with exact entropy for one shard of the pool."""

from egt.generation.rollout import rollout_shard
from egt.io import read_parquet, redirect_output, write_parquet
from egt.judging import Judging
from egt.schemas import PAIR_COLUMNS

redirect_output(snakemake.log[0])
shard = int(snakemake.wildcards.shard)
pool = read_parquet(snakemake.input.pool, PAIR_COLUMNS)
rollouts = rollout_shard(
    snakemake.input.model,
    pool,
    shard,
    snakemake.params.rollout,
    seed=snakemake.params.seed,
    device=snakemake.params.device,
    judging=Judging(snakemake.params.template, snakemake.params.pixels, snakemake.params.trust_remote_code),
)
write_parquet(rollouts, snakemake.output[0])
print(f"rollout: shard {shard} judged {rollouts['pair_id'].n_unique()} pairs, wrote {rollouts.height} rollouts")
