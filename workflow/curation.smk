# Phase 2, entropy-guided curation: drop the pairs of highest curation signal (pair entropy by default).


rule curate:
    input:
        CURATION_PAIRS,
    output:
        kept=f"{R}/curation/kept.parquet",
        dropped=f"{R}/curation/dropped.parquet",
        stats=f"{R}/curation/curation.json",
    log:
        f"{R}/logs/curation/curate.log",
    benchmark:
        f"{R}/benchmarks/curation/curate.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        keep_quantile=config["curation"]["keep_quantile"],
        signal=config["curation"]["signal"],
    script:
        "../scripts/curate.py"
