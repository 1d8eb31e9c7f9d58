"""Rule calibration: the final model's preference probability on the toy benchmark, against the truth."""

from egt.analysis.calibration import calibration_report
from egt.analysis.plots import reliability_diagram
from egt.io import read_parquet, redirect_output, write_json
from egt.reward_model import RewardModel
from egt.schemas import HIDDEN_COLUMNS, PAIR_COLUMNS

redirect_output(snakemake.log[0])
pairs = read_parquet(snakemake.input.pairs, PAIR_COLUMNS)
hidden = read_parquet(snakemake.input.hidden, HIDDEN_COLUMNS)
truth = pairs.select("pair_id").join(hidden, on="pair_id", how="left")
model = RewardModel.load(snakemake.input.model, snakemake.params.device)
verdicts = model.judge_many(pairs.select("image", "question", "response_1", "response_2").to_dicts())
report = calibration_report(
    [v.probability for v in verdicts], truth["ideal_p1"].to_list(), (truth["true_label"] == 1).to_list()
)
write_json(report, snakemake.output.json)
reliability_diagram(report, snakemake.output.figure)
model_ece, ideal_ece = report["model"]["ece"], report["ideal_observer"]["ece"]
print(f"calibration: ECE {model_ece} (ideal observer {ideal_ece}), {report['with_probability']} pairs")
