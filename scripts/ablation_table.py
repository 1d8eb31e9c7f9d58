"""Rule ablation_table: the ablation's table (JSON + markdown + HTML for the report) and figure."""

from egt.analysis.ablation.render import ablation_markdown
from egt.analysis.ablation.results import build_ablation
from egt.analysis.plots import ablation_figure
from egt.analysis.report_tables import markdown_html
from egt.io import read_json, read_parquet, redirect_output, write_json, write_text
from egt.schemas import HIDDEN_COLUMNS, JUDGMENT_SCHEMA, PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
params = snakemake.params


runs = [tuple(run) for run in params.runs]
stages = params.stages
metrics = dict(zip(runs, map(read_json, snakemake.input.metrics), strict=True))
judgments = {
    run: read_parquet(path, JUDGMENT_SCHEMA) for run, path in zip(runs, snakemake.input.judgments, strict=True)
}
history_files = iter(snakemake.input.histories)
histories = {run: [read_json(next(history_files)) for _ in range(stages)] for run in runs}
result = build_ablation(
    pairs=read_parquet(snakemake.input.pairs, PAIR_ENTROPY_SCHEMA),
    hidden=read_parquet(snakemake.input.hidden, HIDDEN_COLUMNS),
    bins=read_json(snakemake.input.analysis)["bins"],
    sft_metrics=read_json(snakemake.input.sft_metrics),
    benchmark_hidden=read_parquet(snakemake.input.benchmark_hidden, HIDDEN_COLUMNS),
    sft_judgments=read_parquet(snakemake.input.sft_judgments, JUDGMENT_SCHEMA),
    run_judgments=judgments,
    run_metrics=metrics,
    run_histories=histories,
    keep_quantile=params.keep_quantile,
    seeds=params.seeds,
    sweep=params.sweep,
    sweep_seeds=params.sweep_seeds,
    bootstrap_resamples=params.bootstrap_resamples,
    seed=params.seed,
)
markdown = ablation_markdown(result)
write_json(result, snakemake.output.json)
write_text(markdown, snakemake.output.markdown)
write_text(markdown_html("EGT ablation", markdown), snakemake.output.html)
ablation_figure(result, snakemake.output.figure)
print(markdown)
