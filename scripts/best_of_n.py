"""Rule best_of_n: the final model ranks N candidate answers per toy question; top-1 against the truth."""

from tqdm.auto import tqdm

from egt.analysis.best_of_n import best_of_n_report
from egt.analysis.plots import best_of_n_figure
from egt.data.toyworld import generate_candidate_sets
from egt.io import redirect_output, write_json
from egt.reward_model import RewardModel

redirect_output(snakemake.log[0])
world, settings = snakemake.params.world, snakemake.params.best_of_n
items = generate_candidate_sets(
    settings["items"],
    settings["candidates"],
    snakemake.params.seed,
    world["image_size"],
    world["max_ambiguity"],
    world.get("color_jitter", 0.0),
)
model = RewardModel.load(snakemake.input.model, snakemake.params.device)
pairs = sum(len(item["candidates"]) * (len(item["candidates"]) - 1) // 2 for item in items)
with tqdm(total=pairs, desc="best of N", unit="pair") as bar:
    rankings = model.rank_many(items, progress=bar.update)
report = best_of_n_report([r.order for r in rankings], items, sum(r.judgments for r in rankings))
write_json(report, snakemake.output.json)
best_of_n_figure(report, snakemake.output.figure)
print(
    f"best of {report['candidates']}: top-1 {report['model']['top1']:.3f} (ideal observer "
    f"{report['ideal_observer']['top1']:.3f}, random {report['random']['top1']:.3f}), {report['judgments']} judgments"
)
