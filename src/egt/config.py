"""Checks that span several config keys (the JSON schema covers each key alone)."""

from __future__ import annotations


class ConfigError(ValueError):
    pass


def check_config(config: dict) -> None:
    grpo = config["grpo"]
    if grpo["batch_size"] % grpo["num_generations"]:
        raise ConfigError(
            f"grpo.batch_size ({grpo['batch_size']}) must be a multiple of grpo.num_generations "
            f"({grpo['num_generations']}): each step trains on whole groups of completions."
        )
    if config["model"]["base"] == "tiny" and "tiny" not in config["model"]:
        raise ConfigError('model.base is "tiny" but model.tiny (the architecture to build) is missing.')
    if config["data"]["source"] == "toy_world" and "toy_world" not in config:
        raise ConfigError('data.source is "toy_world" but the toy_world section is missing.')
    if config["data"]["source"] == "hub":
        datasets = set(config["data"].get("datasets", {}))
        teacher = config.get("teacher", {}).get("enabled", False)
        needed = {"pool", "sft_candidates"} if teacher else {"pool", "sft"}
        if needed - datasets:
            raise ConfigError(f"data.source is hub but data.datasets lacks {sorted(needed - datasets)}.")
        if teacher and "sft" in datasets:
            raise ConfigError("teacher.enabled makes the SFT set from sft_candidates: drop data.datasets.sft.")
        if teacher:
            missing = {"base_url", "model", "api_key_env"} - set(config["teacher"])
            if missing:
                raise ConfigError(f"teacher.enabled needs teacher.{', teacher.'.join(sorted(missing))}.")
        if not any(name.startswith("benchmark_") for name in config["data"]["datasets"]):
            raise ConfigError("data.source is hub but data.datasets names no benchmark_<name>.")
    tiny = config["model"].get("tiny")
    if tiny:
        if tiny["hidden_size"] % tiny["num_heads"]:
            raise ConfigError("model.tiny.hidden_size must be a multiple of model.tiny.num_heads.")
        if tiny["num_heads"] % tiny["num_kv_heads"]:
            raise ConfigError("model.tiny.num_heads must be a multiple of model.tiny.num_kv_heads.")
        if tiny["vision_hidden_size"] % tiny["vision_num_heads"]:
            raise ConfigError("model.tiny.vision_hidden_size must be a multiple of model.tiny.vision_num_heads.")
    pool_size = config.get("toy_world", {}).get("pool_size") if config["data"]["source"] == "toy_world" else None
    if pool_size is not None and config["rollout"]["shards"] > pool_size:
        raise ConfigError(
            f"rollout.shards ({config['rollout']['shards']}) exceeds toy_world.pool_size ({pool_size}): "
            "some shards would be empty."
        )
    ablation = config.get("ablation")
    if ablation:
        if ablation["sweep_seeds"] > len(ablation["seeds"]):
            raise ConfigError(
                f"ablation.sweep_seeds ({ablation['sweep_seeds']}) exceeds the {len(ablation['seeds'])} ablation.seeds."
            )
        # run folders are named by the quantile to two decimals
        quantiles = [config["curation"]["keep_quantile"], *ablation["keep_quantiles"]]
        uneven = [q for q in quantiles if abs(round(q, 2) - q) > 1e-9]
        if uneven:
            raise ConfigError(
                f"ablation quantiles must have at most two decimals (curation.keep_quantile and "
                f"ablation.keep_quantiles); got {uneven}."
            )
