# The final model as a folder to use, serve or upload as it is (egt.release): its files, how it
# judges (egt_judge.json) and a model card with the run's benchmark figures.


rule reward_model:
    input:
        model=f"{R}/grpo/stage_{STAGES[-1]}/model",
        summary=f"{R}/summary.json",
    output:
        directory(f"{R}/reward_model"),
    log:
        f"{R}/logs/release/reward_model.log",
    benchmark:
        f"{R}/benchmarks/release/reward_model.tsv"
    conda:
        "../envs/data.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        config=config,
    script:
        "../scripts/reward_model.py"


# Toy world only: is the final model's preference probability calibrated (against the truth, beside
# the ideal observer)? Reads the benchmark's hidden truth, like the summary.
rule calibration:
    input:
        model=f"{R}/grpo/stage_{STAGES[-1]}/model",
        pairs=f"{R}/data/benchmark_toy.valid.parquet",
        hidden=f"{R}/data/benchmark_toy_hidden.parquet",
    output:
        json=f"{R}/evaluation/final/benchmark_toy.calibration.json",
        figure=report(
            f"{R}/report/calibration.png",
            caption="report/calibration.rst",
            category="4. Evaluation",
        ),
    log:
        f"{R}/logs/evaluation/calibration.log",
    benchmark:
        f"{R}/benchmarks/evaluation/calibration.tsv"
    conda:
        "../envs/training.yaml"
    threads: cpus("evaluate")
    resources:
        mem_mb=mem_mb("evaluate"),
        gpu=gpus("evaluate"),
        runtime=runtime("evaluate"),
    params:
        device=config["device"],
    script:
        "../scripts/calibration.py"


# Toy world only: best of N, the final model's round-robin ranking of N candidate answers per question
# (the right one, the image's distractor colour, other colours) against the truth and the ideal observer.
rule best_of_n:
    input:
        model=f"{R}/grpo/stage_{STAGES[-1]}/model",
    output:
        json=f"{R}/evaluation/final/best_of_n.json",
        figure=report(
            f"{R}/report/best_of_n.png",
            caption="report/best_of_n.rst",
            category="4. Evaluation",
        ),
    log:
        f"{R}/logs/evaluation/best_of_n.log",
    benchmark:
        f"{R}/benchmarks/evaluation/best_of_n.tsv"
    conda:
        "../envs/training.yaml"
    threads: cpus("evaluate")
    resources:
        mem_mb=mem_mb("evaluate"),
        gpu=gpus("evaluate"),
        runtime=runtime("evaluate"),
    params:
        device=config["device"],
        seed=SEED,
        world=config.get("toy_world"),
        best_of_n=config.get("toy_world", {}).get("best_of_n"),
    script:
        "../scripts/best_of_n.py"
