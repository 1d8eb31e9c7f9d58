# The SFT and final models on held-out benchmarks, each pair judged in both orders.


rule evaluate:
    input:
        model=evaluated_model,
        benchmark=f"{R}/data/benchmark_{{benchmark}}.valid.parquet",
    output:
        judgments=f"{R}/evaluation/{{model}}/{{benchmark}}.parquet",
        metrics=f"{R}/evaluation/{{model}}/{{benchmark}}.json",
    log:
        f"{R}/logs/evaluation/{{model}}_{{benchmark}}.log",
    benchmark:
        f"{R}/benchmarks/evaluation/{{model}}_{{benchmark}}.tsv"
    wildcard_constraints:
        model="|".join(MODELS_EVALUATED),
    conda:
        "../envs/training.yaml"
    threads: ALL_CORES
    resources:
        mem_mb=mem_mb("evaluate"),
        gpu=gpus("evaluate"),
        runtime=runtime("evaluate"),
    params:
        evaluation=config["evaluation"],
        seed=SEED,
        device=config["device"],
        trust_remote_code=config["trust_remote_code"],
        # judged items survive a kill here (outside the outputs, which Snakemake deletes)
        cache_dir=lambda wildcards, output: checkpoint_dir(output.metrics),
    script:
        "../scripts/evaluate.py"
