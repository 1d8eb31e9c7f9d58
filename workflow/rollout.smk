# K sampled judgments per pool pair from the SFT model, with exact per-token entropy.
# Sharded: each shard is its own job, so shards run in parallel and rerun alone.


rule rollout:
    input:
        pool=f"{R}/data/pool.valid.parquet",
        model=f"{R}/sft/model",
    output:
        f"{R}/rollouts/shard_{{shard}}.parquet",
    log:
        f"{R}/logs/rollout/shard_{{shard}}.log",
    benchmark:
        f"{R}/benchmarks/rollout/shard_{{shard}}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        (
            "../envs/vllm.yaml"
            if config["rollout"]["engine"] == "vllm"
            else "../envs/training.yaml"
        )
    threads: cpus("rollout")
    resources:
        mem_mb=mem_mb("rollout"),
        gpu=gpus("rollout"),
        runtime=runtime("rollout"),
    params:
        rollout=config["rollout"],
        template=config["judging"]["template"],
        seed=SEED,
        device=config["device"],
        trust_remote_code=config["trust_remote_code"],
        pixels=PIXELS,
    script:
        "../scripts/rollout.py"
