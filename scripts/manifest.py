"""Rule manifest: config snapshot, code version, package versions, sha256 of every output."""

from pathlib import Path

from egt.io import redirect_output, write_json
from egt.provenance.manifest import build_manifest

redirect_output(snakemake.log[0])
output = snakemake.output[0]
manifest = build_manifest(
    snakemake.params.config, snakemake.params.results_dir, exclude={output}, repo=Path(snakemake.scriptdir).parent
)
write_json(manifest, output)
print(f"manifest: {len(manifest['outputs'])} outputs hashed, wrote {output}")
