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
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        toy_world=config.get("toy_world"),
        seed=SEED,
    script:
        "../scripts/toy_world.py"
