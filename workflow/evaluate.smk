# The SFT and final models on held-out benchmarks, each pair judged in both orders.


rule evaluate:
    input:
        model=evaluated_model,
        benchmark="results/data/benchmark_{benchmark}.valid.parquet",
    output:
        judgments="results/eval/{model}/{benchmark}.parquet",
        metrics="results/eval/{model}/{benchmark}.json",
    log:
        "results/logs/eval/{model}_{benchmark}.log",
    benchmark:
        "results/benchmarks/eval/{model}_{benchmark}.tsv"
    wildcard_constraints:
        model="|".join(MODELS_EVALUATED),
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
        # judged items survive a kill here (outside the outputs, which Snakemake deletes)
        cache_dir=lambda wildcards: f"results/checkpoints/eval_{wildcards.model}_{wildcards.benchmark}",
    script:
        "../scripts/evaluate.py"
