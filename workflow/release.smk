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
