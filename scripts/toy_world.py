"""Rule toy_world: the pool (+ hidden truth), the SFT set, the validation set and the toy benchmark."""

from egt.data.toyworld import NoiseModel, generate_split
from egt.io import redirect_output, write_parquet
from egt.schemas import HIDDEN_COLUMNS, PAIR_COLUMNS, SFT_COLUMNS

redirect_output(snakemake.log[0])
toy, seed, out = snakemake.params.toy_world, snakemake.params.seed, snakemake.output
common = dict(
    seed=seed, image_size=toy["image_size"], max_ambiguity=toy["max_ambiguity"], color_jitter=toy["color_jitter"]
)

pool, pool_hidden = generate_split("pool", toy["pool_size"], noise=NoiseModel(**toy["noise"]), **common)
sft, _ = generate_split("sft", toy["sft_size"], noise=None, **common)
validation, validation_hidden = generate_split("validation", toy["validation_size"], noise=None, **common)
benchmark, benchmark_hidden = generate_split("benchmark", toy["benchmark_size"], noise=None, **common)

write_parquet(pool.select(list(PAIR_COLUMNS)), out.pool)
write_parquet(sft.select(list(SFT_COLUMNS)), out.sft)
write_parquet(pool_hidden, out.pool_hidden)
write_parquet(validation.select(list(PAIR_COLUMNS)), out.validation)
write_parquet(validation_hidden.select(list(HIDDEN_COLUMNS)), out.validation_hidden)
write_parquet(benchmark.select(list(PAIR_COLUMNS)), out.benchmark)
write_parquet(benchmark_hidden.select(list(HIDDEN_COLUMNS)), out.benchmark_hidden)
print(
    f"toy_world: wrote {pool.height} pool pairs ({int(pool_hidden['is_noisy'].sum())} with injected "
    f"{toy['noise']['kind']} label noise), {sft.height} SFT pairs, {validation.height} validation pairs, "
    f"{benchmark.height} benchmark pairs"
)
