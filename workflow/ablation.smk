# The ablation (`snakemake ablation`): GRPO from the same SFT model and rollouts on four arms
# (baseline, curation only, curriculum only, EGT) plus a high-to-low control, several seeds each,
# and a keep_quantile sweep. Runs are named {order}_q{keep_quantile}, so an arm and a sweep point
# with the same schedule train once. Not part of `all`: it costs many GRPO runs.


wildcard_constraints:
    variant=r"(oracle_)?(random|low_to_high|high_to_low)_q\d\.\d\d",
    seed=r"\d+",


rule ablation:
    input:
        "results/ablation/ablation.json",
        "results/ablation/ablation.md",


rule ablation_schedule:
    input:
        "results/entropy/pair_entropy.parquet",
    output:
        f"{ABLATION_RUN_DIR}/schedule.parquet",
    log:
        "results/logs/ablation/{variant}/seed_{seed}/schedule.log",
    benchmark:
        "results/benchmarks/ablation/{variant}/seed_{seed}/schedule.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        order=lambda wildcards: parse_variant(wildcards.variant)[0],
        keep_quantile=lambda wildcards: parse_variant(wildcards.variant)[1],
        stages=config["curriculum"]["stages"],
        seed=lambda wildcards: int(wildcards.seed),
    script:
        "../scripts/ablation_schedule.py"


rule ablation_oracle_pool:
    input:
        pool="results/data/pool.valid.parquet",
        hidden="results/data/pool_hidden.parquet",
    output:
        "results/ablation/pool_true_labels.parquet",
    log:
        "results/logs/ablation/oracle_pool.log",
    benchmark:
        "results/benchmarks/ablation/oracle_pool.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    script:
        "../scripts/ablation_oracle_pool.py"


rule ablation_grpo_stage:
    input:
        stages=f"{ABLATION_RUN_DIR}/schedule.parquet",
        pool=ablation_pool,
        init_model=ablation_init_model,
    output:
        model=directory(f"{ABLATION_RUN_DIR}/stage_{{stage}}/model"),
        history=f"{ABLATION_RUN_DIR}/stage_{{stage}}/log_history.json",
    log:
        "results/logs/ablation/{variant}/seed_{seed}/stage_{stage}.log",
    benchmark:
        "results/benchmarks/ablation/{variant}/seed_{seed}/stage_{stage}.tsv"
    wildcard_constraints:
        stage=r"\d+",
    conda:
        "../envs/training.yaml"
    threads: ALL_CORES
    resources:
        mem_mb=4000,
        gpu=gpus("grpo"),
        runtime=runtime("grpo"),
    params:
        grpo=config["grpo"],
        # the script adds the stage; x100 keeps every (seed, stage) of a run on its own torch seed
        seed=lambda wildcards: 100 * int(wildcards.seed),
        use_cpu=USE_CPU,
        save_steps=config["train"]["save_steps"],
        processes=train_processes("grpo"),
        accelerate_config=config["train"].get("accelerate_config"),
        checkpoint_dir=lambda wildcards: (
            f"results/checkpoints/ablation/{wildcards.variant}/seed_{wildcards.seed}/stage_{wildcards.stage}"
        ),
        trust_remote_code=config["trust_remote_code"],
    script:
        "../scripts/grpo_stage.py"


rule ablation_evaluate:
    input:
        model=f"{ABLATION_RUN_DIR}/stage_{STAGES[-1]}/model",
        benchmark="results/data/benchmark_{benchmark}.valid.parquet",
    output:
        judgments=f"{ABLATION_RUN_DIR}/eval/{{benchmark}}.parquet",
        metrics=f"{ABLATION_RUN_DIR}/eval/{{benchmark}}.json",
    log:
        "results/logs/ablation/{variant}/seed_{seed}/eval_{benchmark}.log",
    benchmark:
        "results/benchmarks/ablation/{variant}/seed_{seed}/eval_{benchmark}.tsv"
    conda:
        "../envs/training.yaml"
    threads: ALL_CORES
    resources:
        mem_mb=3000,
        gpu=gpus("evaluate"),
        runtime=runtime("evaluate"),
    params:
        evaluation=config["evaluation"],
        seed=SEED,
        device=config["device"],
        trust_remote_code=config["trust_remote_code"],
        cache_dir=lambda wildcards: (
            f"results/checkpoints/ablation/{wildcards.variant}/seed_{wildcards.seed}/eval_{wildcards.benchmark}"
        ),
    script:
        "../scripts/evaluate.py"


rule ablation_table:
    input:
        unpack(ablation_toy_world_inputs),
        pairs="results/entropy/pair_entropy.parquet",
        analysis="results/entropy/entropy_accuracy.json",
        metrics=[
            f"{ABLATION_RUN_DIR}/eval/toy.json".format(variant=v, seed=s)
            for v, s in ABLATION_RUNS
        ],
        judgments=[
            f"{ABLATION_RUN_DIR}/eval/toy.parquet".format(variant=v, seed=s)
            for v, s in ABLATION_RUNS
        ],
        # stage histories of each run, in ABLATION_RUNS order
        histories=[
            f"{ABLATION_RUN_DIR}/stage_{stage}/log_history.json".format(
                variant=v, seed=s
            )
            for v, s in ABLATION_RUNS
            for stage in STAGES
        ],
    output:
        json="results/ablation/ablation.json",
        markdown="results/ablation/ablation.md",
        html=report(
            "results/ablation/ablation.html",
            caption="report/ablation_table.rst",
            category="6. Ablation",
        ),
        figure=report(
            "results/ablation/ablation.png",
            caption="report/ablation_figure.rst",
            category="6. Ablation",
        ),
    log:
        "results/logs/ablation/ablation_table.log",
    benchmark:
        "results/benchmarks/ablation/ablation_table.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        runs=ABLATION_RUNS,
        stages=len(STAGES),
        seeds=ABLATION["seeds"],
        sweep=ABLATION["keep_quantiles"],
        sweep_seeds=ABLATION["sweep_seeds"],
        keep_quantile=config["curation"]["keep_quantile"],
        bootstrap_resamples=ABLATION["bootstrap_resamples"],
        seed=SEED,
    script:
        "../scripts/ablation_table.py"
