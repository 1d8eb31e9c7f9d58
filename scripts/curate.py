"""Rule curate: keep the pairs at or below the keep_quantile quantile of the curation signal."""

import polars as pl

from egt.curation.quantile import quantile_cut
from egt.curation.signals import signal
from egt.io import read_parquet, redirect_output, write_json, write_parquet
from egt.schemas import PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
by = signal(snakemake.params.signal).name
pairs = read_parquet(snakemake.input[0], {**PAIR_ENTROPY_SCHEMA, by: pl.Float64})
keep_quantile = snakemake.params.keep_quantile
cut = quantile_cut(pairs, keep_quantile, by)
write_parquet(cut.kept, snakemake.output.kept)
write_parquet(cut.dropped, snakemake.output.dropped)
write_json(
    {
        "signal": by,
        "keep_quantile": keep_quantile,
        "threshold": cut.threshold,
        "pairs_in": pairs.height,
        "pairs_kept": cut.kept.height,
        "pairs_dropped": cut.dropped.height,
    },
    snakemake.output.stats,
)
print(
    f"curate: read {pairs.height} pairs, kept {cut.kept.height} ({by} <= {cut.threshold}), dropped {cut.dropped.height}"
)
