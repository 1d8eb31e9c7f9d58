"""Rule download_dataset: a Hub dataset snapshot at a pinned revision, with its manifest."""

from egt.data.hub import download_snapshot
from egt.io import redirect_output, write_json

redirect_output(snakemake.log[0])
spec = snakemake.params.spec
manifest = download_snapshot(
    spec["repo_id"], spec["revision"], "dataset", snakemake.output.folder, allow_patterns=spec.get("allow_patterns")
)
write_json(manifest, snakemake.output.manifest)
print(f"download_dataset: {spec['repo_id']}@{spec['revision']}: {len(manifest['files'])} files")
