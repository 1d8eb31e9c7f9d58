# Entropy-Guided Training (EGT) of a multimodal reasoning reward model.
#
#   data -> base model -> SFT (stage 1) -> rollouts -> entropy tables -> curation (stage 2)
#        -> curriculum -> staged GRPO (stage 3) -> evaluation -> summary
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
include: "workflow/ablation.smk"


localrules:
    all,
    ablation,


rule all:
    input:
        "results/summary.json",
        "results/summary.md",
        "results/manifest.json",
