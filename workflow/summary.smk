# One JSON and one readable page. The only rule that reads the toy world's hidden columns.


rule summary:
    input:
        analysis=f"{R}/entropy/entropy_accuracy.json",
        bins=f"{R}/entropy/entropy_bins.parquet",
        curation=f"{R}/curation/curation.json",
        kept=f"{R}/curation/kept.parquet",
        dropped=f"{R}/curation/dropped.parquet",
        curriculum=f"{R}/curriculum/curriculum.json",
        skipped=[f"{R}/data/{name}.skipped.parquet" for name in DATASETS],
        validation=expand(
            f"{R}/data/{{dataset}}.validation.json",
            dataset=["pool", "sft"] + [f"benchmark_{b}" for b in BENCHMARKS],
        ),
        hidden=(
            [f"{R}/data/pool_hidden.parquet"]
            if config["data"]["source"] == "toy_world"
            else []
        ),
        metrics=expand(
            f"{R}/evaluation/{{model}}/{{benchmark}}.json",
            model=MODELS_EVALUATED,
            benchmark=BENCHMARKS,
        ),
        histories=[f"{R}/sft/log_history.json"]
        + expand(f"{R}/grpo/stage_{{stage}}/log_history.json", stage=STAGES),
    output:
        json=f"{R}/summary.json",
        markdown=f"{R}/summary.md",
    log:
        f"{R}/logs/summary/summary.log",
    benchmark:
        f"{R}/benchmarks/summary/summary.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        models=MODELS_EVALUATED,
        benchmarks=BENCHMARKS,
    script:
        "../scripts/summary.py"
