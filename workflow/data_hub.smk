# Real datasets: fetched from the Hub at a pinned revision (or read from a local folder in the
# same layout), then adapted to the pipeline's pair schema. Records an adapter cannot use are
# listed in results/data/{dataset}.skipped.parquet with the reason.


rule download_dataset:
    output:
        folder=directory("resources/hub/datasets/{dataset}"),
        manifest="resources/hub/datasets/{dataset}.manifest.json",
    log:
        "results/logs/data/download_{dataset}.log",
    benchmark:
        "results/benchmarks/data/download_{dataset}.tsv"
    wildcard_constraints:
        dataset="|".join(HUB_DATASETS) or "^$",
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=runtime("other"),
    params:
        spec=lambda wildcards: DATASETS[wildcards.dataset],
    script:
        "../scripts/download_dataset.py"


rule adapt_dataset:
    input:
        source=lambda wildcards: dataset_folder(wildcards.dataset),
    output:
        pairs="results/data/{dataset}.parquet",
        skipped="results/data/{dataset}.skipped.parquet",
    log:
        "results/logs/data/adapt_{dataset}.log",
    benchmark:
        "results/benchmarks/data/adapt_{dataset}.tsv"
    wildcard_constraints:
        dataset="|".join(DATASETS),
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=runtime("other"),
    params:
        spec=lambda wildcards: DATASETS[wildcards.dataset],
    script:
        "../scripts/adapt_dataset.py"


rule download_model:
    output:
        folder=directory("resources/hub/models/base"),
        manifest="resources/hub/models/base.manifest.json",
    log:
        "results/logs/base_model/download_model.log",
    benchmark:
        "results/benchmarks/base_model/download_model.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=runtime("other"),
    params:
        repo_id=config["model"]["base"],
        revision=config["model"].get("revision", "main"),
    script:
        "../scripts/download_model.py"


# Stage-1 traces distilled from a teacher model with the fidelity filter (config: teacher).
if config.get("teacher", {}).get("enabled", False):

    rule teacher_traces:
        input:
            "results/data/sft_candidates.parquet",
        output:
            pairs="results/data/sft.parquet",
            dropped="results/data/sft.teacher_dropped.parquet",
            stats="results/data/sft.teacher.json",
        log:
            "results/logs/data/teacher_traces.log",
        benchmark:
            "results/benchmarks/data/teacher_traces.tsv"
        conda:
            "../envs/data.yaml"
        threads: 1
        resources:
            mem_mb=4000,
        params:
            teacher=config.get("teacher", {}),
            cache_dir="results/checkpoints/teacher",
        script:
            "../scripts/teacher_traces.py"
