"""Rule evaluate: judge a benchmark in both presentation orders and score it."""

from egt.evaluation.run import evaluate_model, finish_evaluation
from egt.io import read_parquet, redirect_output, write_json, write_parquet
from egt.schemas import PAIR_COLUMNS

redirect_output(snakemake.log[0])
benchmark = read_parquet(snakemake.input.benchmark, PAIR_COLUMNS)
judgments, metrics = evaluate_model(
    snakemake.input.model,
    benchmark,
    snakemake.params.evaluation,
    seed=snakemake.params.seed,
    device=snakemake.params.device,
    trust_remote_code=snakemake.params.trust_remote_code,
    cache_dir=snakemake.params.cache_dir,
)
write_parquet(judgments, snakemake.output.judgments)
write_json(metrics, snakemake.output.metrics)
finish_evaluation(snakemake.params.cache_dir)
print(f"evaluate: {snakemake.input.model} on {snakemake.wildcards.benchmark}: {benchmark.height} pairs, {metrics}")
