# The kept pairs in curriculum stages by entropy (low to high for EGT).


rule curriculum:
    input:
        "results/curation/kept.parquet",
    output:
        stages="results/curriculum/stages.parquet",
        stats="results/curriculum/curriculum.json",
    log:
        "results/logs/curriculum/curriculum.log",
    benchmark:
        "results/benchmarks/curriculum/curriculum.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        curriculum=config["curriculum"],
        seed=SEED,
    script:
        "../scripts/curriculum.py"
