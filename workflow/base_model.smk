# A tiny Qwen2.5-VL-architecture model, tokenizer and processor, built offline.


rule base_model:
    input:
        sft="results/data/sft.valid.parquet",
    output:
        directory("results/models/base"),
    log:
        "results/logs/base_model/base_model.log",
    benchmark:
        "results/benchmarks/base_model/base_model.tsv"
    conda:
        "../envs/training.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=runtime("other"),
    params:
        arch=config["model"].get("tiny"),
        image_size=config.get("toy_world", {}).get("image_size"),
        seed=SEED,
    script:
        "../scripts/base_model.py"
