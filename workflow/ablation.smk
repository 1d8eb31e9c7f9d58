# The ablation (`snakemake ablation`): GRPO from the same SFT model and rollouts on the arms of
# ablation.arms (baseline, curation only, curriculum only, EGT, and the controls high-to-low,
# oracle labels, random drop and label-aware selection), several seeds each, and a keep_quantile
# sweep. Runs are named by their variant (labels, selection, order, keep_quantile), so an arm and
# a sweep point with the same schedule train once. Not part of `all`: it costs many GRPO runs.
# Training and evaluation reuse the pipeline's own rules.


wildcard_constraints:
    ablation=ABLATION_FOLDER_PATTERN,
    variant=VARIANT_PATTERN,
    seed=r"\d+",


rule ablation:
    input:
        f"{ABLATION_DIR}/ablation.json",
        f"{ABLATION_DIR}/ablation.md",
        [f"{ABLATION_DIR}/side_by_side.md"] if ENTROPY["model"] == "scorer" else [],


rule ablation_schedule:
    input:
        ablation_ranking,
    output:
        f"{ABLATION_RUN_DIR}/schedule.parquet",
    log:
        f"{R}/logs/{ABLATION_LOG_DIR}/schedule.log",
    benchmark:
        f"{R}/benchmarks/{ABLATION_LOG_DIR}/schedule.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        stages=config["curriculum"]["stages"],
        signal=config["curation"]["signal"],
        seed=lambda wildcards: int(wildcards.seed),
    script:
        "../scripts/ablation_schedule.py"


rule ablation_oracle_pool:
    input:
        pool=f"{R}/data/pool.valid.parquet",
        hidden=f"{R}/data/pool_hidden.parquet",
    output:
        f"{R}/ablation/pool_true_labels.parquet",  # shared, as the oracle's runs are (ABLATION_NAME)
    log:
        f"{R}/logs/ablation/oracle_pool.log",
    benchmark:
        f"{R}/benchmarks/ablation/oracle_pool.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    script:
        "../scripts/ablation_oracle_pool.py"


# The pipeline's GRPO stage on a run's schedule (seeds: see grpo_seed in common.smk).
use rule grpo_stage as ablation_grpo_stage with:
    input:
        stages=f"{ABLATION_RUN_DIR}/schedule.parquet",
        pool=ablation_pool,
        init_model=ablation_init_model,
    output:
        model=directory(f"{ABLATION_RUN_DIR}/stage_{{stage}}/model"),
        history=f"{ABLATION_RUN_DIR}/stage_{{stage}}/log_history.json",
    log:
        f"{R}/logs/{ABLATION_LOG_DIR}/stage_{{stage}}.log",
    benchmark:
        f"{R}/benchmarks/{ABLATION_LOG_DIR}/stage_{{stage}}.tsv"


# The pipeline's evaluation of a run's last stage.
use rule evaluate as ablation_evaluate with:
    input:
        model=f"{ABLATION_RUN_DIR}/stage_{STAGES[-1]}/model",
        pairs=f"{R}/data/{{dataset}}.valid.parquet",
    output:
        judgments=f"{ABLATION_RUN_DIR}/evaluation/{{dataset}}.parquet",
        metrics=f"{ABLATION_RUN_DIR}/evaluation/{{dataset}}.json",
    log:
        f"{R}/logs/{ABLATION_LOG_DIR}/evaluation_{{dataset}}.log",
    benchmark:
        f"{R}/benchmarks/{ABLATION_LOG_DIR}/evaluation_{{dataset}}.tsv"


rule ablation_table:
    input:
        unpack(ablation_toy_world_inputs),
        unpack(ablation_table_inputs),
    output:
        json=f"{R}/{{ablation}}/ablation.json",
        markdown=f"{R}/{{ablation}}/ablation.md",
        html=report(
            f"{R}/{{ablation}}/ablation.html",
            caption="report/ablation_table.rst",
            category="6. Ablation",
        ),
        figure=report(
            f"{R}/{{ablation}}/ablation.png",
            caption="report/ablation_figure.rst",
            category="6. Ablation",
        ),
    log:
        f"{R}/logs/{{ablation}}/ablation_table.log",
    benchmark:
        f"{R}/benchmarks/{{ablation}}/ablation_table.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        arms=ABLATION_ARMS,
        runs=ABLATION_RUNS,
        sweep_runs=SWEEP_RUNS,
        stages=len(STAGES),
        seeds=ABLATION["seeds"],
        extra_seeds=ABLATION["extra_seeds"],
        split=ARM_SPLIT,
        keep_quantile=config["curation"]["keep_quantile"],
        signal=config["curation"]["signal"],
        ranked_by=lambda wildcards: ranked_by(wildcards.ablation),
        noise=config.get("toy_world", {}).get("noise"),
        bootstrap_resamples=ABLATION["bootstrap_resamples"],
        seed=SEED,
    script:
        "../scripts/ablation_table.py"


# With the pool ranked by a scorer, the ablation also stands beside the one ranked by the SFT model:
# same arms, seeds and SFT start (egt.analysis.ablation.rankings).
if ENTROPY["model"] == "scorer":

    rule ablation_side_by_side:
        input:
            sft=f"{R}/ablation/ablation.json",
            scorer=f"{ABLATION_DIR}/ablation.json",
            sft_judgments=[
                f"{ablation_run_dir(v, s, 'ablation')}/evaluation/{ARM_SPLIT}.parquet"
                for v, s in ABLATION_RUNS
                if Variant.parse(v).ranked
            ],
            scorer_judgments=[
                f"{ablation_run_dir(v, s)}/evaluation/{ARM_SPLIT}.parquet"
                for v, s in ABLATION_RUNS
                if Variant.parse(v).ranked
            ],
        output:
            json=f"{ABLATION_DIR}/side_by_side.json",
            markdown=f"{ABLATION_DIR}/side_by_side.md",
            figure=report(
                f"{ABLATION_DIR}/side_by_side.png",
                caption="report/ablation_side_by_side.rst",
                category="6. Ablation",
            ),
        log:
            f"{R}/logs/{ABLATION_NAME}/side_by_side.log",
        benchmark:
            f"{R}/benchmarks/{ABLATION_NAME}/side_by_side.tsv"
        conda:
            "../envs/data.yaml"
        threads: cpus("other")
        resources:
            mem_mb=mem_mb("other"),
            runtime=runtime("other"),
        params:
            ranked_runs=[(v, s) for v, s in ABLATION_RUNS if Variant.parse(v).ranked],
            arms=ABLATION_ARMS,
            seeds=ABLATION["seeds"],
            extra_seeds=ABLATION["extra_seeds"],
            keep_quantile=config["curation"]["keep_quantile"],
            scorer=scorer_name(ENTROPY["scorer"]),
            bootstrap_resamples=ABLATION["bootstrap_resamples"],
            seed=SEED,
        script:
            "../scripts/ablation_side_by_side.py"
