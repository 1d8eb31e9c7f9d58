"""Rule scorer_auroc: each curation signal's AUROC for the injected noise of the noisy validation split."""

from egt.analysis.ceiling import detection_ceiling
from egt.analysis.noise import signal_aurocs
from egt.io import read_parquet, redirect_output, write_json
from egt.schemas import HIDDEN_COLUMNS, pair_entropy_schema

redirect_output(snakemake.log[0])
pairs = read_parquet(snakemake.input.pairs, pair_entropy_schema())
hidden = read_parquet(snakemake.input.hidden, {**HIDDEN_COLUMNS})
rows = signal_aurocs(pairs, hidden, snakemake.params.bootstrap_resamples, snakemake.params.seed)
write_json(
    {
        "traces": int(snakemake.wildcards.traces),
        "steps": int(snakemake.wildcards.steps),
        "pairs": pairs.height,
        "noise_rate": float(hidden["is_noisy"].mean()),
        "ceiling": detection_ceiling(hidden, snakemake.params.noise),
        "signals": rows,
    },
    snakemake.output[0],
)
print("scorer_auroc: " + ", ".join(f"{r['signal']} {r['auroc']:.3f}" for r in rows))
