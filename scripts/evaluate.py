"""Rule evaluate (and the ablation's copy of it): judge a dataset in both presentation orders and score it."""

from egt.evaluation.run import evaluate_model, finish_evaluation
from egt.io import read_parquet, redirect_output, write_json, write_parquet
from egt.judging import Judging
from egt.schemas import PAIR_COLUMNS

redirect_output(snakemake.log[0])
params = snakemake.params
pairs = read_parquet(snakemake.input.pairs, PAIR_COLUMNS)
judgments, metrics = evaluate_model(
    snakemake.input.model,
    pairs,
    params.evaluation,
    seed=params.seed,
    device=params.device,
    judging=Judging(params.judging["template"], params.pixels, params.trust_remote_code),
    cache_dir=params.cache_dir,
    scorer=params.scorer,
)
write_parquet(judgments, snakemake.output.judgments)
write_json(metrics, snakemake.output.metrics)
finish_evaluation(params.cache_dir)
print(f"evaluate: {snakemake.input.model} on {snakemake.wildcards.dataset}: {pairs.height} pairs, {metrics}")
