# Where the data comes from (by data.source), then row validation of every dataset.


if config["data"]["source"] == "toy_world":

    include: "data_toy.smk"

else:

    include: "data_hub.smk"


# Every dataset is validated row by row before any stage reads it: bad rows go to a
# quarantine file with a reason, and rows in = rows kept + rows quarantined.
rule validate_data:
    input:
        f"{R}/data/{{dataset}}.parquet",
    output:
        kept=f"{R}/data/{{dataset}}.valid.parquet",
        quarantine=f"{R}/data/{{dataset}}.quarantine.parquet",
        report=f"{R}/data/{{dataset}}.validation.json",
    log:
        f"{R}/logs/data/validate_{{dataset}}.log",
    benchmark:
        f"{R}/benchmarks/data/validate_{{dataset}}.tsv"
    wildcard_constraints:
        dataset="pool|sft|(benchmark|validation)_[A-Za-z0-9_]+",
    conda:
        "../envs/data.yaml"
    threads: cpus("data")
    resources:
        mem_mb=mem_mb("data"),
        runtime=runtime("other"),
    params:
        reasoning=lambda wildcards: wildcards.dataset == "sft",
        max_skipped=lambda wildcards: max_skipped(wildcards.dataset),
    script:
        "../scripts/validate_data.py"
