"""Rule report_tables: what the data left out, the evaluation table and run information as HTML."""

from pathlib import Path

from egt.analysis.report_tables import evaluation_html, markdown_html, run_info_html
from egt.analysis.summary import data_markdown
from egt.evaluation.metrics import by_model_and_dataset
from egt.io import read_json, redirect_output, write_text
from egt.provenance.manifest import git_commit, package_versions

redirect_output(snakemake.log[0])
data = read_json(snakemake.input.summary)["data"]
write_text(
    markdown_html("Data", "# What each dataset kept and left out\n\n" + data_markdown(data)), snakemake.output.data
)
metrics = by_model_and_dataset(snakemake.input.metrics, read_json)
write_text(evaluation_html(metrics), snakemake.output.evaluation)
repo = Path(snakemake.scriptdir).parent
write_text(run_info_html(snakemake.params.config, package_versions(), git_commit(repo)), snakemake.output.run_info)
print(f"report_tables: read {len(snakemake.input.metrics)} metric files, wrote 3 tables")
