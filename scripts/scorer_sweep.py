"""Rule scorer_sweep: the AUROC-vs-phase-1-budget curve of the scorers, and the cheapest that sees the noise."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from egt.analysis.scorer import sweep, sweep_markdown  # noqa: E402
from egt.io import read_json, redirect_output, write_json, write_text  # noqa: E402

redirect_output(snakemake.log[0])
result = sweep([read_json(p) for p in snakemake.input], snakemake.params.target)
write_json(result, snakemake.output.json)
write_text(sweep_markdown(result), snakemake.output.markdown)

figure, axis = plt.subplots(figsize=(6.4, 4.0))
labels = [f"{p['traces']} traces\n{p['steps']} steps" for p in result["points"]]
signals = [k for k in result["points"][0] if k not in ("scorer", "traces", "steps", "ceiling")]
for signal in signals:
    style = {"linewidth": 2.5} if signal == result["signal"] else {"linewidth": 1, "alpha": 0.7}
    axis.plot(labels, [p[signal] for p in result["points"]], marker="o", label=signal, **style)
axis.plot(labels, [p["ceiling"] for p in result["points"]], "k--", label="detection ceiling")
axis.axhline(result["target"], color="grey", linestyle=":", label=f"target {result['target']}")
axis.axhline(0.5, color="grey", linewidth=0.5)
axis.set_ylabel("AUROC for the injected noise")
axis.set_title("Scorers on the noisy validation split")
axis.legend(fontsize=7)
figure.tight_layout()
figure.savefig(snakemake.output.png, dpi=120)
print(f"scorer_sweep: {len(result['points'])} scorers; chosen {result['chosen']}")
