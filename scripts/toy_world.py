"""Rule toy_world: generate the pool (+ hidden truth), the SFT set and the toy benchmark."""

from egt.data.toyworld import NoiseModel, generate_split
from egt.io import redirect_output, write_parquet
from egt.schemas import HIDDEN_COLUMNS, PAIR_COLUMNS, SFT_COLUMNS

redirect_output(snakemake.log[0])
toy, seed = snakemake.params.toy_world, snakemake.params.seed
noise = NoiseModel(**toy["noise"])
common = dict(
    seed=seed,
    image_size=toy["image_size"],
    max_ambiguity=toy["max_ambiguity"],
    color_jitter=toy.get("color_jitter", 0.0),
)

pool, hidden = generate_split("pool", toy["pool_size"], noise=noise, **common)
sft, _ = generate_split("sft", toy["sft_size"], noise=None, **common)
benchmark, benchmark_hidden = generate_split("benchmark", toy["benchmark_size"], noise=None, **common)

write_parquet(pool.select(list(PAIR_COLUMNS)), snakemake.output.pool)
write_parquet(hidden.select(list(HIDDEN_COLUMNS)), snakemake.output.pool_hidden)
write_parquet(sft.select(list(SFT_COLUMNS)), snakemake.output.sft)
write_parquet(benchmark.select(list(PAIR_COLUMNS)), snakemake.output.benchmark)
write_parquet(benchmark_hidden.select(list(HIDDEN_COLUMNS)), snakemake.output.benchmark_hidden)
print(
    f"toy_world: wrote {pool.height} pool pairs ({int(hidden['is_noisy'].sum())} with injected "
    f"label noise), {sft.height} SFT pairs, {benchmark.height} benchmark pairs"
)
