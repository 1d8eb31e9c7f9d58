"""Rule sft: stage 1, reasoning enhancement."""

from egt.io import read_parquet, redirect_output, write_json
from egt.schemas import SFT_COLUMNS
from egt.sft import run_sft

redirect_output(snakemake.log[0])
pairs = read_parquet(snakemake.input.pairs, SFT_COLUMNS)
history = run_sft(
    snakemake.params.base_model,
    pairs,
    snakemake.output.model,
    snakemake.params.sft,
    seed=snakemake.params.seed,
    use_cpu=snakemake.params.use_cpu,
    checkpoint_dir=snakemake.params.checkpoint_dir,
    save_steps=snakemake.params.save_steps,
    trust_remote_code=snakemake.params.trust_remote_code,
)
write_json(history, snakemake.output.history)
print(f"sft: trained on {pairs.height} pairs, wrote {snakemake.output.model}")
