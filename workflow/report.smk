# Figures and tables for `snakemake --report`, and results/<run>/manifest.json.


rule report_plots:
    input:
        pairs=f"{R}/entropy/pair_entropy.parquet",
        summary=f"{R}/summary.json",
        histories=expand(f"{R}/grpo/stage_{{stage}}/log_history.json", stage=STAGES),
    output:
        histogram=report(
            f"{R}/report/entropy_histogram.png",
            caption="report/entropy_histogram.rst",
            category="1. Entropy",
        ),
        entropy_accuracy=report(
            f"{R}/report/entropy_accuracy.png",
            caption="report/entropy_accuracy.rst",
            category="1. Entropy",
        ),
        curriculum=report(
            f"{R}/report/curriculum.png",
            caption="report/curriculum.rst",
            category="2. Curriculum",
        ),
        training=report(
            f"{R}/report/training_curves.png",
            caption="report/training_curves.rst",
            category="3. Training",
        ),
    log:
        f"{R}/logs/report/report_plots.log",
    benchmark:
        f"{R}/benchmarks/report/report_plots.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    script:
        "../scripts/report_plots.py"


rule report_tables:
    input:
        summary=f"{R}/summary.json",
        metrics=expand(
            f"{R}/evaluation/{{model}}/{{dataset}}.json",
            model=MODELS_EVALUATED,
            dataset=EVALUATED,
        ),
    output:
        data=report(
            f"{R}/report/data.html",
            caption="report/data.rst",
            category="0. Data",
        ),
        evaluation=report(
            f"{R}/report/evaluation.html",
            caption="report/evaluation.rst",
            category="4. Evaluation",
        ),
        run_info=report(
            f"{R}/report/run_info.html",
            caption="report/run_info.rst",
            category="5. Run information",
        ),
    log:
        f"{R}/logs/report/report_tables.log",
    benchmark:
        f"{R}/benchmarks/report/report_tables.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        config=config,
    script:
        "../scripts/report_tables.py"


rule manifest:
    input:
        f"{R}/summary.json",
        f"{R}/summary.md",
        f"{R}/reward_model",
        rules.report_plots.output,
        rules.report_tables.output,
    output:
        f"{R}/manifest.json",
    log:
        f"{R}/logs/manifest/manifest.log",
    benchmark:
        f"{R}/benchmarks/manifest/manifest.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        config=config,
        results_dir=lambda wildcards, output: str(Path(output[0]).parent),
    script:
        "../scripts/manifest.py"
