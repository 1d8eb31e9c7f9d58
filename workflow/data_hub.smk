# Real datasets: fetched from the Hub at a pinned revision (or read from a local folder in the
# published layout), then adapted to the pipeline's pair schema. Records an adapter cannot use are
# listed in results/<run>/data/{dataset}.skipped.parquet with the reason.


rule download_dataset:
    output:
        folder=directory("resources/hub/datasets/{hub_dataset}"),
        manifest="resources/hub/datasets/{hub_dataset}.manifest.json",
    log:
        "resources/hub/logs/download_{hub_dataset}.log",
    benchmark:
        "resources/hub/benchmarks/download_{hub_dataset}.tsv"
    wildcard_constraints:
        hub_dataset="|".join(map(re.escape, HUB_DATASETS)) or "^$",
    conda:
        "../envs/data.yaml"
    threads: cpus("data")
    resources:
        mem_mb=mem_mb("data"),
        runtime=runtime("other"),
    params:
        spec=lambda wildcards: HUB_DATASETS[wildcards.hub_dataset],
        allow_patterns=lambda wildcards: hub_allow_patterns(
            HUB_DATASETS[wildcards.hub_dataset]
        ),
        mirror=config["data"].get("hub_mirror"),
    script:
        "../scripts/download_dataset.py"


rule adapt_dataset:
    input:
        source=lambda wildcards: dataset_folder(wildcards.dataset),
    output:
        pairs=f"{R}/data/{{dataset}}.parquet",
        skipped=f"{R}/data/{{dataset}}.skipped.parquet",
    log:
        f"{R}/logs/data/adapt_{{dataset}}.log",
    benchmark:
        f"{R}/benchmarks/data/adapt_{{dataset}}.tsv"
    wildcard_constraints:
        dataset="|".join(DATASETS),
    conda:
        "../envs/data.yaml"
    threads: cpus("data")
    resources:
        mem_mb=mem_mb("data"),
        runtime=runtime("other"),
    params:
        spec=lambda wildcards: DATASETS[wildcards.dataset],
        max_skipped=lambda wildcards: max_skipped(wildcards.dataset),
    script:
        "../scripts/adapt_dataset.py"


rule download_model:
    output:
        folder=directory("resources/hub/models/{hub_model}"),
        manifest="resources/hub/models/{hub_model}.manifest.json",
    log:
        "resources/hub/logs/download_model_{hub_model}.log",
    benchmark:
        "resources/hub/benchmarks/download_model_{hub_model}.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("data")
    resources:
        mem_mb=mem_mb("data"),
        runtime=runtime("other"),
    params:
        repo_id=config["model"]["base"],
        revision=config["model"]["revision"],
        mirror=config["data"].get("hub_mirror"),
    script:
        "../scripts/download_model.py"


# Stage-1 traces distilled from a teacher model with the fidelity filter (config: teacher).
if config["teacher"]["enabled"]:

    rule teacher_traces:
        input:
            f"{R}/data/sft_candidates.parquet",
        output:
            pairs=f"{R}/data/sft.parquet",
            dropped=f"{R}/data/sft.teacher_dropped.parquet",
            stats=f"{R}/data/sft.teacher.json",
        log:
            f"{R}/logs/data/teacher_traces.log",
        benchmark:
            f"{R}/benchmarks/data/teacher_traces.tsv"
        conda:
            "../envs/data.yaml"
        threads: cpus("data")
        resources:
            mem_mb=mem_mb("data"),
            runtime=runtime("other"),
        params:
            teacher=config["teacher"],
            template=config["judging"]["template"],
            cache_dir=f"{R}/checkpoints/teacher",
        script:
            "../scripts/teacher_traces.py"
