# Per-pair entropy aggregates and the entropy-accuracy analysis.


rule entropy_tables:
    input:
        rollouts=expand("results/rollouts/shard_{shard}.parquet", shard=SHARDS),
        pool="results/data/pool.valid.parquet",
    output:
        pairs="results/entropy/pair_entropy.parquet",
        bins="results/entropy/entropy_bins.parquet",
        analysis="results/entropy/entropy_accuracy.json",
    log:
        "results/logs/entropy/entropy_tables.log",
    benchmark:
        "results/benchmarks/entropy/entropy_tables.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        bins=config["entropy"]["bins"],
    script:
        "../scripts/entropy_tables.py"
