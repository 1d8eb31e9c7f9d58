# The kept pairs in curriculum stages by the curation signal (low to high entropy for EGT).


rule curriculum:
    input:
        f"{R}/curation/kept.parquet",
    output:
        stages=f"{R}/curriculum/stages.parquet",
        stats=f"{R}/curriculum/curriculum.json",
    log:
        f"{R}/logs/curriculum/curriculum.log",
    benchmark:
        f"{R}/benchmarks/curriculum/curriculum.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        curriculum=config["curriculum"],
        signal=config["curation"]["signal"],
        seed=SEED,
    script:
        "../scripts/curriculum.py"
