"""Rule ablation_table: the ablation's table (JSON + markdown + HTML for the report) and figure."""

from egt.analysis.ablation.render import ablation_markdown
from egt.analysis.ablation.results import build_ablation
from egt.analysis.plots import ablation_figure
from egt.analysis.report_tables import markdown_html
from egt.io import read_json, read_parquet, redirect_output, write_json, write_text
from egt.schemas import HIDDEN_COLUMNS, JUDGMENT_SCHEMA, PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
inp, params = snakemake.input, snakemake.params
runs, sweep_runs = [tuple(r) for r in params.runs], [tuple(r) for r in params.sweep_runs]
metrics = [read_json(p) for p in inp.metrics]
histories = iter(inp.histories)
result = build_ablation(
    pairs=read_parquet(inp.pairs, PAIR_ENTROPY_SCHEMA),
    hidden=read_parquet(inp.hidden, HIDDEN_COLUMNS),
    split_hidden=read_parquet(inp.split_hidden, HIDDEN_COLUMNS),
    bins=read_json(inp.analysis)["bins"],
    noise=params.noise,
    sft_metrics=read_json(inp.sft_metrics),
    sft_judgments=read_parquet(inp.sft_judgments, JUDGMENT_SCHEMA),
    arms=params.arms,
    run_metrics=dict(zip(runs, metrics[: len(runs)], strict=True)),
    run_judgments={run: read_parquet(p, JUDGMENT_SCHEMA) for run, p in zip(runs, inp.judgments, strict=True)},
    run_histories={run: [read_json(next(histories)) for _ in range(params.stages)] for run in runs},
    sweep_metrics=dict(zip(sweep_runs, metrics[len(runs) :], strict=True)),
    keep_quantile=params.keep_quantile,
    seeds=params.seeds,
    extra_seeds=params.extra_seeds,
    split=params.split,
    bootstrap_resamples=params.bootstrap_resamples,
    seed=params.seed,
    signal=params.signal,
)
result["ranked_by"] = params.ranked_by
markdown = ablation_markdown(result)
write_json(result, snakemake.output.json)
write_text(markdown, snakemake.output.markdown)
write_text(markdown_html("EGT ablation", markdown), snakemake.output.html)
ablation_figure(result, snakemake.output.figure)
print(markdown)
