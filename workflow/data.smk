# The embedded default's "download": a seeded synthetic world of preference pairs.
# pool_hidden.parquet holds the injected-noise truth; only the summary rule may read it.


rule toy_world:
    output:
        pool="results/data/pool.parquet",
        pool_hidden="results/data/pool_hidden.parquet",
        sft="results/data/sft.parquet",
        benchmark="results/data/benchmark_toy.parquet",
    log:
        "results/logs/data/toy_world.log",
    benchmark:
        "results/benchmarks/data/toy_world.tsv"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        toy_world=config.get("toy_world"),
        seed=SEED,
    script:
        "../scripts/toy_world.py"


# Every dataset is validated row by row before any stage reads it: bad rows go to a
# quarantine file with a reason, and rows in = rows kept + rows quarantined.
rule validate_data:
    input:
        "results/data/{dataset}.parquet",
    output:
        kept="results/data/{dataset}.valid.parquet",
        quarantine="results/data/{dataset}.quarantine.parquet",
        report="results/data/{dataset}.validation.json",
    log:
        "results/logs/data/validate_{dataset}.log",
    benchmark:
        "results/benchmarks/data/validate_{dataset}.tsv"
    wildcard_constraints:
        dataset="pool|sft|benchmark_[A-Za-z0-9_]+",
    threads: 1
    resources:
        mem_mb=1000,
    params:
        reasoning=lambda wildcards: wildcards.dataset == "sft",
    script:
        "../scripts/validate_data.py"
