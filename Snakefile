# Entropy-Guided Training (EGT) of a multimodal reasoning reward model.
#
#   data -> base model -> SFT (phase 1) -> rollouts -> entropy tables -> curation (phase 2)
#        -> curriculum -> staged GRPO (phase 3) -> evaluation -> summary, report, manifest,
#        the reward model as a folder to use (results/<run>/reward_model)
#
# Everything a run writes lands in results/<run>/ (config key `run`).
import re
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")


configfile: Path(workflow.basedir) / "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/common.smk"
include: "workflow/data.smk"
include: "workflow/base_model.smk"
include: "workflow/sft.smk"
include: "workflow/rollout.smk"
include: "workflow/entropy.smk"
include: "workflow/curation.smk"
include: "workflow/curriculum.smk"
include: "workflow/grpo.smk"
include: "workflow/evaluate.smk"
include: "workflow/summary.smk"
include: "workflow/report.smk"
include: "workflow/release.smk"
include: "workflow/ablation.smk"
include: "workflow/scorer.smk"


localrules:
    all,
    ablation,


rule all:
    input:
        f"{R}/summary.json",
        f"{R}/summary.md",
        f"{R}/manifest.json",
        f"{R}/reward_model",
