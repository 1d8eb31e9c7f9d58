"""Rule sft: phase 1, reasoning enhancement."""

from pathlib import Path

from egt.io import read_parquet, redirect_output, write_json
from egt.schemas import SFT_COLUMNS
from egt.training.launch import run_training

redirect_output(snakemake.log[0])
pairs = read_parquet(snakemake.input.pairs, SFT_COLUMNS)
job = snakemake.params.job
repo = Path(snakemake.scriptdir).parent
history = run_training("sft", pairs, snakemake.params.base_model, snakemake.output.model, job, repo)
write_json(history, snakemake.output.history)
print(f"sft: trained on {pairs.height} pairs in {job['processes']} process(es), wrote {snakemake.output.model}")
