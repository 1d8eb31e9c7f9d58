# A tiny model of a registered family (Qwen2.5-VL by default), tokenizer and processor, built offline.


rule base_model:
    input:
        sft=f"{R}/data/sft.valid.parquet",
    output:
        directory(f"{R}/models/base"),
    log:
        f"{R}/logs/base_model/base_model.log",
    benchmark:
        f"{R}/benchmarks/base_model/base_model.tsv"
    conda:
        "../envs/training.yaml"
    threads: cpus("other")
    resources:
        mem_mb=mem_mb("other"),
        runtime=runtime("other"),
    params:
        arch=config["model"].get("tiny"),
        template=config["judging"]["template"],
        image_size=config.get("toy_world", {}).get("image_size"),
        seed=SEED,
    script:
        "../scripts/base_model.py"
