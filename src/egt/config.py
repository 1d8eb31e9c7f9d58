"""The configuration: loading layered YAML files, the JSON schema, and checks that span several keys.

Snakemake validates the config with the schema and :func:`check_config` before any job starts
(``workflow/common.smk``); :func:`load_config` does the same in-process, for tests and tools.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from egt.curation.signals import SIGNALS
from egt.readers import ADAPTERS

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
DEFAULT_CONFIG = REPO / "config" / "config.yaml"


class ConfigError(ValueError):
    pass


def merge(base: dict, override: dict) -> dict:
    """Nested dicts merged key by key, as Snakemake layers ``--configfile`` files; other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(*overrides: str | Path | dict) -> dict:
    """The default config with each override (a YAML path or a dict) layered on it, validated and checked."""
    from snakemake.utils import validate

    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    for override in overrides:
        layer = override if isinstance(override, dict) else yaml.safe_load(Path(override).read_text())
        config = merge(config, layer or {})
    validate(config, str(SCHEMA))
    check_config(config)
    return config


def hub_folder(spec: dict) -> str:
    """The folder name of a Hub download: repository and revision, so runs share one copy."""
    return f"{spec['repo_id'].replace('/', '--')}@{spec['revision']}"


def training_processes(config: dict, rule_group: str) -> int:
    """Processes of a training job: one per GPU of the job, or train.cpu_processes on CPU."""
    if config["device"] == "cuda":
        return max(1, config["cluster"]["gpus"].get(rule_group, 0))
    return config["train"]["cpu_processes"]


def check_config(config: dict) -> None:
    grpo = config["grpo"]
    if grpo["batch_size"] % grpo["num_samples"]:
        raise ConfigError(
            f"grpo.batch_size ({grpo['batch_size']}) must be a multiple of grpo.num_samples "
            f"({grpo['num_samples']}): each step trains on whole groups of completions."
        )
    for group in ("sft", "grpo"):
        processes = training_processes(config, group)
        if config[group]["batch_size"] % processes:
            raise ConfigError(
                f"{group}.batch_size ({config[group]['batch_size']}) is the global batch and must split evenly "
                f"over the job's {processes} training processes."
            )
    if config["model"]["base"] == "tiny" and "tiny" not in config["model"]:
        raise ConfigError('model.base is "tiny" but model.tiny (the architecture to build) is missing.')
    if config["data"]["source"] == "toy_world" and "toy_world" not in config:
        raise ConfigError('data.source is "toy_world" but the toy_world section is missing.')
    if config["data"]["source"] == "hub":
        _check_hub_data(config)
    tiny = config["model"].get("tiny")
    if tiny and config["model"]["base"] == "tiny":
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
    _check_ablation(config)
    _check_registered(config)


def _check_registered(config: dict) -> None:
    """Names the schema cannot list, since registering is what adds them: readers and curation signals."""
    for name, spec in config["data"].get("datasets", {}).items():
        if spec["adapter"] not in ADAPTERS:
            raise ConfigError(
                f"data.datasets.{name}.adapter: {spec['adapter']!r} is not a registered reader; "
                f"known: {', '.join(ADAPTERS)}."
            )
    chosen = config["curation"]["signal"]
    if chosen not in SIGNALS:
        raise ConfigError(f"curation.signal: {chosen!r} is not a registered signal; known: {', '.join(SIGNALS)}.")


def _check_hub_data(config: dict) -> None:
    datasets = config["data"].get("datasets", {})
    teacher = config["teacher"].get("enabled", False)
    needed = {"pool", "sft_candidates"} if teacher else {"pool", "sft"}
    if not teacher and "sft_candidates" in datasets:
        raise ConfigError("data.datasets.sft_candidates needs teacher.enabled: true (or name it sft).")
    if needed - set(datasets):
        raise ConfigError(f"data.source is hub but data.datasets lacks {sorted(needed - set(datasets))}.")
    if teacher and "sft" in datasets:
        raise ConfigError("teacher.enabled makes the SFT set from sft_candidates: drop data.datasets.sft.")
    if teacher:
        missing = {"base_url", "model", "api_key_env"} - set(config["teacher"])
        if missing:
            raise ConfigError(f"teacher.enabled needs teacher.{', teacher.'.join(sorted(missing))}.")
    if not any(name.startswith("benchmark_") for name in datasets):
        raise ConfigError("data.source is hub but data.datasets names no benchmark_<name>.")


def _check_ablation(config: dict) -> None:
    ablation = config["ablation"]
    if set(ablation["seeds"]) & set(ablation["extra_seeds"]):
        raise ConfigError("ablation.extra_seeds repeats some of ablation.seeds.")
    # run folders are named by the quantile to two decimals
    quantiles = [config["curation"]["keep_quantile"], *ablation["keep_quantiles"]]
    uneven = [q for q in quantiles if abs(round(q, 2) - q) > 1e-9]
    if uneven:
        raise ConfigError(
            f"ablation quantiles must have at most two decimals (curation.keep_quantile and "
            f"ablation.keep_quantiles); got {uneven}."
        )
