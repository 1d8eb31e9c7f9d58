# One JSON and one readable page. The only rule that reads the toy world's hidden columns.


rule summary:
    input:
        analysis="results/entropy/entropy_accuracy.json",
        bins="results/entropy/entropy_bins.parquet",
        curation="results/curation/curation.json",
        kept="results/curation/kept.parquet",
        dropped="results/curation/dropped.parquet",
        curriculum="results/curriculum/curriculum.json",
        skipped=[f"results/data/{name}.skipped.parquet" for name in DATASETS],
        validation=expand(
            "results/data/{dataset}.validation.json",
            dataset=["pool", "sft"] + [f"benchmark_{b}" for b in BENCHMARKS],
        ),
        hidden=(
            ["results/data/pool_hidden.parquet"]
            if config["data"]["source"] == "toy_world"
            else []
        ),
        metrics=expand(
            "results/eval/{model}/{benchmark}.json",
            model=MODELS_EVALUATED,
            benchmark=BENCHMARKS,
        ),
        histories=["results/sft/log_history.json"]
        + expand("results/grpo/stage_{stage}/log_history.json", stage=STAGES),
    output:
        json="results/summary.json",
        markdown="results/summary.md",
    log:
        "results/logs/summary/summary.log",
    benchmark:
        "results/benchmarks/summary/summary.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        models=MODELS_EVALUATED,
        benchmarks=BENCHMARKS,
    script:
        "../scripts/summary.py"
