"""Rule adapt_dataset: records of a source folder -> preference pairs (+ skipped records with reasons)."""

from egt.data.sources import ADAPTERS, read_records
from egt.io import redirect_output, write_parquet

redirect_output(snakemake.log[0])
spec = snakemake.params.spec
records = read_records(snakemake.input.source)
pairs, skipped = ADAPTERS[spec["adapter"]](records, spec.get("image_dir") or snakemake.input.source)
write_parquet(pairs, snakemake.output.pairs)
write_parquet(skipped, snakemake.output.skipped)
print(f"adapt_dataset: {len(records)} records -> {pairs.height} pairs, {skipped.height} skipped ({spec['adapter']})")
for reason, count in skipped.group_by("reason").len().sort("len", descending=True).head(10).iter_rows():
    print(f"  skipped {count}: {reason}")
assert len(records) == pairs.height + skipped.height, "records in must equal pairs out + skipped"
