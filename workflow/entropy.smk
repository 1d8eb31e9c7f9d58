# Per-pair entropy aggregates and the entropy-accuracy analysis.


rule entropy_tables:
    input:
        rollouts=expand(f"{R}/rollouts/shard_{{shard}}.parquet", shard=SHARDS),
        pool=f"{R}/data/pool.valid.parquet",
    output:
        pairs=f"{R}/entropy/pair_entropy.parquet",
        bins=f"{R}/entropy/entropy_bins.parquet",
        analysis=f"{R}/entropy/entropy_accuracy.json",
    log:
        f"{R}/logs/entropy/entropy_tables.log",
    benchmark:
        f"{R}/benchmarks/entropy/entropy_tables.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        bins=config["entropy"]["bins"],
    script:
        "../scripts/entropy_tables.py"
