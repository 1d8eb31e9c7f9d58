# K sampled judgments per pool pair from the SFT model, with exact per-token entropy.
# Sharded: each shard is its own job, so shards run in parallel and rerun alone.


rule rollout:
    input:
        pool="results/data/pool.valid.parquet",
        model="results/sft/model",
    output:
        "results/rollouts/shard_{shard}.parquet",
    log:
        "results/logs/rollout/shard_{shard}.log",
    benchmark:
        "results/benchmarks/rollout/shard_{shard}.tsv"
    wildcard_constraints:
        shard=r"\d+",
    conda:
        "../envs/vllm.yaml"
        if config["rollout"].get("engine", "hf") == "vllm"
        else "../envs/training.yaml"
    threads: 1
    resources:
        mem_mb=3000,
        gpu=gpus("rollout"),
        runtime=runtime("rollout"),
    params:
        rollout=config["rollout"],
        seed=SEED,
        device=config["device"],
        trust_remote_code=config["trust_remote_code"],
    script:
        "../scripts/rollout.py"
