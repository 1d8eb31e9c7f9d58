"""Rule adapt_dataset: a source folder in its published layout -> preference pairs (+ skipped records with reasons)."""

import polars as pl

from egt.data.adapters import adapt_source
from egt.data.usability import check_usable
from egt.io import redirect_output, write_parquet
from egt.readers import adapter

redirect_output(snakemake.log[0])
spec = snakemake.params.spec
skipped = adapt_source(snakemake.input.source, spec, adapter(spec["adapter"]), snakemake.output.pairs)
write_parquet(skipped, snakemake.output.skipped)
pairs = pl.scan_parquet(snakemake.output.pairs).select(pl.len()).collect().item()
print(f"adapt_dataset: {pairs + skipped.height} records -> {pairs} pairs, {skipped.height} skipped ({spec['adapter']})")
for reason, count in skipped.group_by("reason").len().sort("len", descending=True).head(10).iter_rows():
    print(f"  skipped {count}: {reason}")
reasons = dict(skipped.group_by("reason").len().iter_rows())
check_usable(
    snakemake.wildcards.dataset,
    "adapted",
    pairs + skipped.height,
    reasons,
    snakemake.params.max_skipped,
    rejected=skipped,
    keep_rejected_at=snakemake.log[0].removesuffix(".log") + ".skipped.parquet",
)
