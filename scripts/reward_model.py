"""Rule reward_model: the final model, its judging settings and a model card in one folder."""

from pathlib import Path

from egt.io import read_json, redirect_output
from egt.provenance.manifest import git_commit
from egt.release import write_release

redirect_output(snakemake.log[0])
repo = Path(snakemake.scriptdir).parent
out = write_release(
    snakemake.input.model,
    read_json(snakemake.input.summary),
    snakemake.params.config,
    git_commit(repo),
    snakemake.output[0],
)
print(f"reward_model: wrote {out} ({len(list(out.iterdir()))} files, model card README.md)")
