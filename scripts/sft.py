"""Rule sft: stage 1, reasoning enhancement."""

from pathlib import Path

from egt.io import read_parquet, redirect_output, write_json
from egt.schemas import SFT_COLUMNS
from egt.training.launch import run_training

redirect_output(snakemake.log[0])
pairs = read_parquet(snakemake.input.pairs, SFT_COLUMNS)
params = snakemake.params
kwargs = {
    "base_model": params.base_model,
    "out_dir": snakemake.output.model,
    "params": params.sft,
    "seed": params.seed,
    "use_cpu": params.use_cpu,
    "checkpoint_dir": params.checkpoint_dir,
    "save_steps": params.save_steps,
    "trust_remote_code": params.trust_remote_code,
}
repo = Path(snakemake.scriptdir).parent
history = run_training("sft", pairs, kwargs, params.processes, params.accelerate_config, repo)
write_json(history, snakemake.output.history)
print(f"sft: trained on {pairs.height} pairs in {params.processes} process(es), wrote {snakemake.output.model}")
