# Phase 1, reasoning enhancement: SFT on reasoning traces (loss on the assistant turn only).


rule sft:
    input:
        pairs=f"{R}/data/sft.valid.parquet",
        base=base_model_input,
    output:
        model=directory(f"{R}/sft/model"),
        history=f"{R}/sft/log_history.json",
    log:
        f"{R}/logs/sft/sft.log",
    benchmark:
        f"{R}/benchmarks/sft/sft.tsv"
    conda:
        "../envs/training.yaml"
    threads: cpus("sft")
    resources:
        mem_mb=mem_mb("sft"),
        gpu=gpus("sft"),
        runtime=runtime("sft"),
    params:
        base_model=base_model_path(),
        job=lambda wildcards, output: training_job("sft", output.model, SEED),
    script:
        "../scripts/sft.py"
