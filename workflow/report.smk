# Figures and tables for `snakemake --report`, and results/manifest.json.


rule report_plots:
    input:
        pairs="results/entropy/pair_entropy.parquet",
        summary="results/summary.json",
        histories=expand("results/grpo/stage_{stage}/log_history.json", stage=STAGES),
    output:
        histogram=report(
            "results/report/entropy_histogram.png",
            caption="report/entropy_histogram.rst",
            category="1. Entropy",
        ),
        entropy_accuracy=report(
            "results/report/entropy_accuracy.png",
            caption="report/entropy_accuracy.rst",
            category="1. Entropy",
        ),
        curriculum=report(
            "results/report/curriculum.png",
            caption="report/curriculum.rst",
            category="2. Curriculum",
        ),
        training=report(
            "results/report/training_curves.png",
            caption="report/training_curves.rst",
            category="3. Training",
        ),
    log:
        "results/logs/report/report_plots.log",
    benchmark:
        "results/benchmarks/report/report_plots.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=runtime("other"),
    script:
        "../scripts/report_plots.py"


rule report_tables:
    input:
        metrics=expand(
            "results/eval/{model}/{benchmark}.json",
            model=MODELS_EVALUATED,
            benchmark=BENCHMARKS,
        ),
    output:
        evaluation=report(
            "results/report/evaluation.html",
            caption="report/evaluation.rst",
            category="4. Evaluation",
        ),
        run_info=report(
            "results/report/run_info.html",
            caption="report/run_info.rst",
            category="5. Run information",
        ),
    log:
        "results/logs/report/report_tables.log",
    benchmark:
        "results/benchmarks/report/report_tables.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=runtime("other"),
    params:
        config=config,
    script:
        "../scripts/report_tables.py"


rule manifest:
    input:
        "results/summary.json",
        "results/summary.md",
        rules.report_plots.output,
        rules.report_tables.output,
    output:
        "results/manifest.json",
    log:
        "results/logs/manifest/manifest.log",
    benchmark:
        "results/benchmarks/manifest/manifest.tsv"
    conda:
        "../envs/data.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=runtime("other"),
    params:
        config=config,
    script:
        "../scripts/manifest.py"
