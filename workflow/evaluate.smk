# The SFT and final models on the benchmarks and validation sets, each pair judged in both orders.


rule evaluate:
    input:
        model=evaluated_model,
        pairs=f"{R}/data/{{dataset}}.valid.parquet",
    output:
        judgments=f"{R}/evaluation/{{model}}/{{dataset}}.parquet",
        metrics=f"{R}/evaluation/{{model}}/{{dataset}}.json",
    log:
        f"{R}/logs/evaluation/{{model}}_{{dataset}}.log",
    benchmark:
        f"{R}/benchmarks/evaluation/{{model}}_{{dataset}}.tsv"
    wildcard_constraints:
        model="|".join(MODELS_EVALUATED),
        dataset="|".join(EVALUATED),
    conda:
        (
            "../envs/vllm.yaml"
            if config["evaluation"]["engine"] == "vllm"
            else "../envs/training.yaml"
        )
    threads: cpus("evaluate")
    resources:
        mem_mb=mem_mb("evaluate"),
        gpu=gpus("evaluate"),
        runtime=runtime("evaluate"),
    params:
        evaluation=config["evaluation"],
        judging=config["judging"],
        scorer=lambda wildcards: scorer(wildcards.dataset),
        seed=SEED,
        device=config["device"],
        trust_remote_code=config["trust_remote_code"],
        pixels=PIXELS,
        # judged items survive a kill here (outside the outputs, which Snakemake deletes)
        cache_dir=lambda wildcards, output: checkpoint_dir(output.metrics),
    script:
        "../scripts/evaluate.py"
