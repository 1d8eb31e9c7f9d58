"""Rule summary: collect every stage's figures into results/summary.{json,md}."""

from pathlib import Path

import polars as pl

from egt.analysis.summary import build_summary, summary_markdown
from egt.io import read_json, read_parquet, redirect_output, write_json, write_text
from egt.schemas import HIDDEN_COLUMNS, PAIR_ENTROPY_SCHEMA

redirect_output(snakemake.log[0])
inp = snakemake.input
metrics = {}
for path in inp.metrics:
    model, benchmark = Path(path).parent.name, Path(path).stem
    metrics.setdefault(model, {})[benchmark] = read_json(path)
histories = {Path(p).parent.name: read_json(p) for p in inp.histories}
summary = build_summary(
    analysis=read_json(inp.analysis),
    curation=read_json(inp.curation),
    kept=read_parquet(inp.kept, PAIR_ENTROPY_SCHEMA),
    dropped=read_parquet(inp.dropped, PAIR_ENTROPY_SCHEMA),
    curriculum=read_json(inp.curriculum),
    metrics=metrics,
    hidden=read_parquet(inp.hidden, HIDDEN_COLUMNS) if inp.hidden else None,
    histories=histories,
    validation={Path(p).name.split(".")[0]: read_json(p) for p in inp.validation},
    skipped={Path(p).name.split(".")[0]: pl.read_parquet(p) for p in inp.skipped},
)
write_json(summary, snakemake.output.json)
write_text(summary_markdown(summary), snakemake.output.markdown)
print(f"summary: wrote {snakemake.output.json} and {snakemake.output.markdown}")
