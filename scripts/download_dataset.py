"""Rule download_dataset: a Hub dataset snapshot at a pinned revision, with its manifest."""

import sys
from pathlib import Path

# egt from this checkout, also inside a per-rule conda env that has only the dependencies
sys.path.insert(0, str(Path(snakemake.scriptdir).parent / "src"))


from egt.hub import download_snapshot
from egt.io import redirect_output, write_json

redirect_output(snakemake.log[0])
spec = snakemake.params.spec
manifest = download_snapshot(
    spec["repo_id"], spec["revision"], "dataset", snakemake.output.folder, allow_patterns=spec.get("allow_patterns")
)
write_json(manifest, snakemake.output.manifest)
print(f"download_dataset: {spec['repo_id']}@{spec['revision']}: {len(manifest['files'])} files")
