"""Rule download_model: the base model at a pinned revision (safetensors, configs, tokenizer; never pickles)."""

from egt.data.hub import download_snapshot
from egt.io import redirect_output, write_json

redirect_output(snakemake.log[0])
params = snakemake.params
patterns = ["*.json", "*.safetensors", "*.txt", "*.jinja", "tokenizer*", "*.model"]
manifest = download_snapshot(
    params.repo_id, params.revision, "model", snakemake.output.folder, allow_patterns=patterns, mirror=params.mirror
)
write_json(manifest, snakemake.output.manifest)
print(f"download_model: {params.repo_id}@{params.revision}: {len(manifest['files'])} files")
