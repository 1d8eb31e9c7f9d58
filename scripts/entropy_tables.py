"""Rule entropy_tables: per-pair entropy and the entropy-accuracy analysis."""

from egt.analysis.stats import spearman_rho
from egt.curation.pair_entropy import entropy_bins, pair_entropy_table
from egt.io import redirect_output, scan_parquet, write_json, write_parquet
from egt.schemas import PAIR_COLUMNS, ROLLOUT_SCHEMA

redirect_output(snakemake.log[0])
rollouts = scan_parquet(snakemake.input.rollouts, ROLLOUT_SCHEMA)
labels = scan_parquet(snakemake.input.pool, {"pair_id": PAIR_COLUMNS["pair_id"], "label": PAIR_COLUMNS["label"]})
pairs = pair_entropy_table(rollouts, labels).collect(engine="streaming")
bins = entropy_bins(pairs, snakemake.params.bins)
write_parquet(pairs, snakemake.output.pairs)
write_parquet(bins, snakemake.output.bins)
write_json(
    {
        "spearman": spearman_rho(pairs["pair_entropy"], pairs["accuracy"]),
        "pairs": pairs.height,
        "bins": bins.to_dicts(),
    },
    snakemake.output.analysis,
)
print(f"entropy_tables: read {len(snakemake.input.rollouts)} shards, wrote {pairs.height} pairs in {bins.height} bins")
