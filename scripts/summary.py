"""Rule summary: collect every stage's figures into results/<run>/summary.{json,md}."""

from pathlib import Path

import polars as pl

from egt.analysis.summary import build_summary, summary_markdown
from egt.cost_plan import plan, render
from egt.evaluation.metrics import by_model_and_dataset
from egt.io import read_json, read_parquet, redirect_output, write_json, write_text
from egt.schemas import HIDDEN_COLUMNS, JUDGMENT_SCHEMA, PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
inp = snakemake.input
truth = None
if "pool_hidden" in inp.keys():
    truth = {
        "pool_hidden": read_parquet(inp.pool_hidden, HIDDEN_COLUMNS),
        "clean_hidden": {
            Path(p).name.removesuffix("_hidden.parquet"): read_parquet(p, HIDDEN_COLUMNS) for p in inp.clean_hidden
        },
        "judgments": by_model_and_dataset(inp.judgments, lambda p: read_parquet(p, JUDGMENT_SCHEMA)),
        "noise": snakemake.params.noise,
        "calibration": read_json(inp.calibration),
        "best_of_n": read_json(inp.best_of_n),
    }
summary = build_summary(
    analysis=read_json(inp.analysis),
    curation=read_json(inp.curation),
    kept=read_parquet(inp.kept, PAIR_ENTROPY_SCHEMA),
    dropped=read_parquet(inp.dropped, PAIR_ENTROPY_SCHEMA),
    curriculum=read_json(inp.curriculum),
    metrics=by_model_and_dataset(inp.metrics, read_json),
    histories={Path(p).parent.name: read_json(p) for p in inp.histories},
    validation={Path(p).name.split(".")[0]: read_json(p) for p in inp.validation},
    skipped={Path(p).name.split(".")[0]: pl.read_parquet(p) for p in inp.skipped},
    truth=truth,
)
if snakemake.params.cost_plan_config:
    summary["cost_plan"] = render(plan(snakemake.params.cost_plan_config, Path(snakemake.output.json).parent / "data"))
write_json(summary, snakemake.output.json)
write_text(summary_markdown(summary), snakemake.output.markdown)
print(f"summary: wrote {snakemake.output.json} and {snakemake.output.markdown}")
