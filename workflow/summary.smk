# One JSON and one readable page. With calibration (the benchmark's truth only), the only rule of the
# default run that reads the toy world's hidden truth (injected noise, ambiguity, the ideal observer).


rule summary:
    input:
        unpack(summary_toy_world_inputs),
        analysis=f"{R}/entropy/entropy_accuracy.json",
        curation=f"{R}/curation/curation.json",
        kept=f"{R}/curation/kept.parquet",
        dropped=f"{R}/curation/dropped.parquet",
        curriculum=f"{R}/curriculum/curriculum.json",
        skipped=[f"{R}/data/{name}.skipped.parquet" for name in DATASETS],
        validation=expand(
            f"{R}/data/{{dataset}}.validation.json",
            dataset=["pool", "sft"] + EVALUATED,
        ),
        metrics=expand(
            f"{R}/evaluation/{{model}}/{{dataset}}.json",
            model=MODELS_EVALUATED,
            dataset=EVALUATED,
        ),
        judgments=expand(
            f"{R}/evaluation/{{model}}/{{dataset}}.parquet",
            model=MODELS_EVALUATED,
            dataset=EVALUATED,
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
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        noise=config.get("toy_world", {}).get("noise"),
        # a GPU run's estimate (egt.cost_plan) beside what it took, from the sections it reads (others
        # changing must not rerun the summary); the toy world runs on CPUs
        cost_plan_config=(
            {key: config[key] for key in COST_PLAN_SECTIONS}
            if config["data"]["source"] == "hub"
            else None
        ),
    script:
        "../scripts/summary.py"
