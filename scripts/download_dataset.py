"""Rule download_dataset: a Hub dataset at a pinned revision (only the files its adapter reads), with a manifest."""

from egt.data.hub import download_snapshot
from egt.io import redirect_output, write_json

redirect_output(snakemake.log[0])
spec, params = snakemake.params.spec, snakemake.params
manifest = download_snapshot(
    spec["repo_id"],
    spec["revision"],
    "dataset",
    snakemake.output.folder,
    allow_patterns=params.allow_patterns,
    mirror=params.mirror,
)
write_json(manifest, snakemake.output.manifest)
print(f"download_dataset: {spec['repo_id']}@{spec['revision']}: {len(manifest['files'])} files")
