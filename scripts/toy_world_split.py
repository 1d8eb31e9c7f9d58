"""Rules noisy_validation and scorer_traces: one more split of the toy world, from its own random stream."""

from egt.data.toyworld import NoiseModel, generate_split
from egt.io import redirect_output, write_parquet
from egt.schemas import PAIR_COLUMNS, SFT_COLUMNS

redirect_output(snakemake.log[0])
toy, params, out = snakemake.params.toy_world, snakemake.params, snakemake.output
noise = NoiseModel(**toy["noise"]) if params.noisy else None
pairs, hidden = generate_split(
    params.split,
    int(params.size),
    seed=params.seed,
    image_size=toy["image_size"],
    max_ambiguity=toy["max_ambiguity"],
    noise=noise,
    color_jitter=toy["color_jitter"],
)
write_parquet(pairs.select(list(SFT_COLUMNS if params.split == "scorer_sft" else PAIR_COLUMNS)), out.pairs)
if "hidden" in out.keys():
    write_parquet(hidden, out.hidden)  # the whole truth, as the pool's (the detection ceiling reads it)
noisy = f" ({int(hidden['is_noisy'].sum())} with injected {toy['noise']['kind']} label noise)" if noise else ""
print(f"toy_world_split: wrote {pairs.height} {params.split} pairs{noisy}")
