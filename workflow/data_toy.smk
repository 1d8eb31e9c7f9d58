# The embedded default's "download": a seeded synthetic world of preference pairs.
# The *_hidden.parquet files hold the truth (true label, injected noise, ambiguity, the ideal
# observer's judgment); only the analysis rules (summary, calibration, ablation_table) and the
# ablation's oracle control (ablation_oracle_pool) may read them.


rule toy_world:
    output:
        pool=f"{R}/data/pool.parquet",
        pool_hidden=f"{R}/data/pool_hidden.parquet",
        sft=f"{R}/data/sft.parquet",
        validation=f"{R}/data/validation_toy.parquet",
        validation_hidden=f"{R}/data/validation_toy_hidden.parquet",
        benchmark=f"{R}/data/benchmark_toy.parquet",
        benchmark_hidden=f"{R}/data/benchmark_toy_hidden.parquet",
    log:
        f"{R}/logs/data/toy_world.log",
    benchmark:
        f"{R}/benchmarks/data/toy_world.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("data")
    resources:
        mem_mb=mem_mb("data"),
        runtime=runtime("other"),
    params:
        toy_world=config.get("toy_world"),
        seed=SEED,
    script:
        "../scripts/toy_world.py"
