"""Rule ablation_side_by_side: the ablation ranked by the SFT model beside the one ranked by a scorer."""

from egt.analysis.ablation.plan import arm_seeds, arm_variant
from egt.analysis.ablation.rankings import compare_rankings, rankings_markdown
from egt.analysis.plots import rankings_figure
from egt.io import read_json, read_parquet, redirect_output, write_json, write_text
from egt.schemas import JUDGMENT_SCHEMA

redirect_output(snakemake.log[0])
inp, params = snakemake.input, snakemake.params
runs = [tuple(run) for run in params.ranked_runs]
judgments = {}
for ranking, paths in (("sft", inp.sft_judgments), ("scorer", inp.scorer_judgments)):
    by_run = dict(zip(runs, paths, strict=True))
    judgments[ranking] = {
        arm: [
            read_parquet(by_run[(variant.name, seed)], JUDGMENT_SCHEMA)
            for seed in arm_seeds(arm, params.seeds, params.extra_seeds)
        ]
        for arm in params.arms
        if (variant := arm_variant(arm, params.keep_quantile)).ranked
    }
result = compare_rankings(
    {"sft": read_json(inp.sft), "scorer": read_json(inp.scorer)},
    judgments,
    params.bootstrap_resamples,
    params.seed,
)
markdown = rankings_markdown(result, params.scorer)
write_json(result, snakemake.output.json)
write_text(markdown, snakemake.output.markdown)
rankings_figure(result, snakemake.output.figure)
print(markdown)
