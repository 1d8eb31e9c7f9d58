# Issue 24's scorer (`snakemake scorer_sweep`, toy world only; not part of `all`): SFT models built like
# the pipeline's on more phase-1 budget (entropy.scorer_sweep: traces x steps), each judged K times over a
# noisy validation split; their curation signals' AUROC for the injected noise there, and the cheapest
# budget whose pair entropy sees it (entropy.scorer_target). With entropy.model: scorer, the chosen
# budget's (entropy.scorer) rollouts over the pool feed curation, the curriculum and the ablation's
# schedules, while RL still starts from the pipeline's SFT model.

SCORER_DIR = f"{R}/scorers/t{{traces}}_s{{steps}}"


wildcard_constraints:
    traces=r"\d+",
    steps=r"\d+",
    scored=r"pool|noisy_validation",


rule noisy_validation:
    output:
        pairs=f"{R}/data/noisy_validation.parquet",
        hidden=f"{R}/data/noisy_validation_hidden.parquet",
    log:
        f"{R}/logs/data/noisy_validation.log",
    benchmark:
        f"{R}/benchmarks/data/noisy_validation.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("data")
    resources:
        mem_mb=mem_mb("data"),
        runtime=runtime("other"),
    params:
        toy_world=config.get("toy_world"),
        seed=SEED,
        split="noisy_validation",
        size=config["entropy"]["noisy_validation_size"],
        noisy=True,
    script:
        "../scripts/toy_world_split.py"


use rule noisy_validation as scorer_traces with:
    output:
        pairs=f"{R}/scorers/traces_{{traces}}.parquet",
    log:
        f"{R}/logs/scorers/traces_{{traces}}.log",
    benchmark:
        f"{R}/benchmarks/scorers/traces_{{traces}}.tsv"
    params:
        toy_world=config.get("toy_world"),
        seed=SEED,
        split="scorer_sft",
        size=lambda wildcards: int(wildcards.traces),
        noisy=False,


# The pipeline's SFT, on the scorer's traces for its steps (sft.* otherwise).
use rule sft as scorer_sft with:
    input:
        pairs=f"{R}/scorers/traces_{{traces}}.parquet",
        base=base_model_input,
    output:
        model=directory(f"{SCORER_DIR}/model"),
        history=f"{SCORER_DIR}/log_history.json",
    log:
        f"{R}/logs/scorers/t{{traces}}_s{{steps}}/sft.log",
    benchmark:
        f"{R}/benchmarks/scorers/t{{traces}}_s{{steps}}/sft.tsv"
    params:
        base_model=base_model_path(),
        job=lambda wildcards, output: scorer_training_job(wildcards, output.model),


# The pipeline's rollouts (rollout.*), by the scorer, over the pool or the noisy validation split.
use rule rollout as scorer_rollout with:
    input:
        pool=lambda wildcards: scored_pairs(wildcards.scored),
        model=f"{SCORER_DIR}/model",
    output:
        f"{SCORER_DIR}/{{scored}}/rollouts/shard_{{shard}}.parquet",
    log:
        f"{R}/logs/scorers/t{{traces}}_s{{steps}}/{{scored}}_shard_{{shard}}.log",
    benchmark:
        f"{R}/benchmarks/scorers/t{{traces}}_s{{steps}}/{{scored}}_shard_{{shard}}.tsv"


use rule entropy_tables as scorer_entropy with:
    input:
        rollouts=lambda wildcards: expand(
            f"{R}/scorers/t{wildcards.traces}_s{wildcards.steps}/{wildcards.scored}/rollouts/shard_{{shard}}.parquet",
            shard=SHARDS,
        ),
        pool=lambda wildcards: scored_pairs(wildcards.scored),
    output:
        pairs=f"{SCORER_DIR}/{{scored}}/pair_entropy.parquet",
        bins=f"{SCORER_DIR}/{{scored}}/entropy_bins.parquet",
        analysis=f"{SCORER_DIR}/{{scored}}/entropy_accuracy.json",
    log:
        f"{R}/logs/scorers/t{{traces}}_s{{steps}}/{{scored}}_entropy.log",
    benchmark:
        f"{R}/benchmarks/scorers/t{{traces}}_s{{steps}}/{{scored}}_entropy.tsv"


rule scorer_auroc:
    input:
        pairs=f"{SCORER_DIR}/noisy_validation/pair_entropy.parquet",
        hidden=f"{R}/data/noisy_validation_hidden.parquet",
    output:
        f"{SCORER_DIR}/noisy_validation/auroc.json",
    log:
        f"{R}/logs/scorers/t{{traces}}_s{{steps}}/auroc.log",
    benchmark:
        f"{R}/benchmarks/scorers/t{{traces}}_s{{steps}}/auroc.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        noise=config.get("toy_world", {}).get("noise"),
        bootstrap_resamples=config["ablation"]["bootstrap_resamples"],
        seed=SEED,
    script:
        "../scripts/scorer_auroc.py"


rule scorer_sweep:
    input:
        [
            f"{R}/scorers/{scorer_name(spec)}/noisy_validation/auroc.json"
            for spec in config["entropy"]["scorer_sweep"]
        ],
    output:
        json=f"{R}/ablation/scorer_sweep.json",
        markdown=f"{R}/ablation/scorer_sweep.md",
        png=f"{R}/ablation/scorer_sweep.png",
    log:
        f"{R}/logs/ablation/scorer_sweep.log",
    benchmark:
        f"{R}/benchmarks/ablation/scorer_sweep.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        target=config["entropy"]["scorer_target"],
    script:
        "../scripts/scorer_sweep.py"
