"""Rule scorer_sweep: the AUROC-vs-phase-1-budget curve of the scorers, and the cheapest that sees the noise."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from egt.analysis.scorer import sweep, sweep_markdown, sweep_signals  # noqa: E402
from egt.io import read_json, redirect_output, write_json, write_text  # noqa: E402

redirect_output(snakemake.log[0])
result = sweep([read_json(p) for p in snakemake.input], snakemake.params.target)
write_json(result, snakemake.output.json)
write_text(sweep_markdown(result), snakemake.output.markdown)

figure, axis = plt.subplots(figsize=(6.4, 4.0))
labels = [f"{p['traces']} traces\n{p['steps']} steps" for p in result["points"]]
for signal in sweep_signals(result):
    style = {"linewidth": 2.5} if signal == result["signal"] else {"linewidth": 1, "alpha": 0.7}
    axis.plot(labels, [p[signal] for p in result["points"]], marker="o", label=signal, **style)
intervals = [p["ci95"] for p in result["points"]]
if all(intervals):  # the chosen signal's bootstrap 95% interval, as a band
    axis.fill_between(labels, [i[0] for i in intervals], [i[1] for i in intervals], alpha=0.15, color="C0")
axis.plot(labels, [p["ceiling"] for p in result["points"]], "k--", label="detection ceiling")
axis.axhline(result["target"], color="grey", linestyle=":", label=f"target {result['target']}")
axis.axhline(0.5, color="grey", linewidth=0.5)
axis.set_ylabel("AUROC for the injected noise")
axis.set_title("Scorers on the noisy validation split")
axis.legend(fontsize=7)
figure.tight_layout()
figure.savefig(snakemake.output.png, dpi=120)
print(f"scorer_sweep: {len(result['points'])} scorers; chosen {result['chosen']}")
