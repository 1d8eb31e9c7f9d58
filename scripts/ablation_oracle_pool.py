"""Rule ablation_oracle_pool: the pool with its true labels, for the oracle control arm only."""

from egt.analysis.ablation.plan import with_true_labels
from egt.io import read_parquet, redirect_output, write_parquet
from egt.schemas import HIDDEN_COLUMNS, PAIR_COLUMNS

redirect_output(snakemake.log[0])
pool = read_parquet(snakemake.input.pool, PAIR_COLUMNS)
relabelled = with_true_labels(pool, read_parquet(snakemake.input.hidden, HIDDEN_COLUMNS))
write_parquet(relabelled, snakemake.output[0])
changed = int((relabelled["label"] != pool["label"]).sum())
print(f"ablation_oracle_pool: {pool.height} pairs, {changed} labels restored to the truth")
