# Stage 2, entropy-guided curation: drop the highest-entropy pairs.


rule curate:
    input:
        "results/entropy/pair_entropy.parquet",
    output:
        kept="results/curation/kept.parquet",
        dropped="results/curation/dropped.parquet",
        stats="results/curation/curation.json",
    log:
        "results/logs/curation/curate.log",
    benchmark:
        "results/benchmarks/curation/curate.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    params:
        keep_quantile=config["curation"]["keep_quantile"],
    script:
        "../scripts/curate.py"
