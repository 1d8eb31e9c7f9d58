"""Rule report_plots: the report's figures."""

from pathlib import Path

import polars as pl

from egt.analysis import plots
from egt.io import read_json, read_parquet, redirect_output
from egt.schemas import PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
summary = read_json(snakemake.input.summary)
curation, out = summary["curation"], snakemake.output
by = curation["signal"]
pairs = read_parquet(snakemake.input.pairs, {**PAIR_ENTROPY_SCHEMA, by: pl.Float64})
plots.entropy_histogram(pairs[by].to_list(), curation["threshold"], curation["keep_quantile"], out.histogram, by)
plots.entropy_accuracy(summary["entropy"]["bins"], summary["entropy"]["spearman"], out.entropy_accuracy)
plots.curriculum_stages(summary["curriculum"]["stages"], curation["threshold"], out.curriculum, by)
histories = [(Path(p).parent.name, read_json(p)) for p in snakemake.input.histories]
plots.training_curves(histories, out.training)
print(f"report_plots: read {pairs.height} pairs and {len(histories)} training logs, wrote 4 figures")
