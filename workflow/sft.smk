# Stage 1, reasoning enhancement: SFT on reasoning traces (loss on the assistant turn only).


rule sft:
    input:
        pairs="results/data/sft.valid.parquet",
        base=base_model_input,
    output:
        model=directory("results/sft/model"),
        history="results/sft/log_history.json",
    log:
        "results/logs/sft/sft.log",
    benchmark:
        "results/benchmarks/sft/sft.tsv"
    conda:
        "../envs/training.yaml"
    threads: ALL_CORES
    resources:
        mem_mb=4000,
        gpu=gpus("sft"),
        runtime=runtime("sft"),
    params:
        base_model=base_model_path(),
        sft=config["sft"],
        seed=SEED,
        use_cpu=USE_CPU,
        save_steps=config["train"]["save_steps"],
        processes=train_processes("sft"),
        accelerate_config=config["train"].get("accelerate_config"),
        checkpoint_dir="results/checkpoints/sft",
        trust_remote_code=config["trust_remote_code"],
    script:
        "../scripts/sft.py"
