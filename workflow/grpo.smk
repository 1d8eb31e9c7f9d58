# Stage 3: GRPO stage after stage; stage 1 starts from the SFT model, stage k from stage k-1.


rule grpo_stage:
    input:
        stages="results/curriculum/stages.parquet",
        pool="results/data/pool.valid.parquet",
        init_model=grpo_init_model,
    output:
        model=directory("results/grpo/stage_{stage}/model"),
        history="results/grpo/stage_{stage}/log_history.json",
    log:
        "results/logs/grpo/stage_{stage}.log",
    benchmark:
        "results/benchmarks/grpo/stage_{stage}.tsv"
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
        seed=SEED,
        use_cpu=USE_CPU,
        save_steps=config["train"]["save_steps"],
        processes=train_processes("grpo"),
        accelerate_config=config["train"].get("accelerate_config"),
        checkpoint_dir=lambda wildcards: f"results/checkpoints/grpo_stage_{wildcards.stage}",
        trust_remote_code=config["trust_remote_code"],
    script:
        "../scripts/grpo_stage.py"
