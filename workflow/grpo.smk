# Phase 3: GRPO stage after stage; stage 1 starts from the SFT model, stage k from stage k-1.


rule grpo_stage:
    input:
        stages=f"{R}/curriculum/stages.parquet",
        pool=f"{R}/data/pool.valid.parquet",
        init_model=grpo_init_model,
    output:
        model=directory(f"{R}/grpo/stage_{{stage}}/model"),
        history=f"{R}/grpo/stage_{{stage}}/log_history.json",
    log:
        f"{R}/logs/grpo/stage_{{stage}}.log",
    benchmark:
        f"{R}/benchmarks/grpo/stage_{{stage}}.tsv"
    wildcard_constraints:
        stage=r"\d+",
    conda:
        (
            "../envs/vllm.yaml"
            if config["grpo"]["engine"] == "vllm"
            else "../envs/training.yaml"
        )
    threads: cpus("grpo")
    resources:
        mem_mb=mem_mb("grpo"),
        gpu=gpus("grpo"),
        runtime=runtime("grpo"),
    params:
        job=lambda wildcards, output: training_job(
            "grpo", output.model, grpo_seed(wildcards)
        ),
    script:
        "../scripts/grpo_stage.py"
