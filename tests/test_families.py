"""Model families by name: each registered family builds offline, reloads as its image-only processor and
samples rollouts with every entropy column (exact re-scoring per family: tests/test_scoring.py); the smoke
pipeline runs on each family other than the default (the default's runs in tests/test_pipeline.py)."""

import math

import polars as pl
import pytest
import torch
import yaml
from conftest import FAMILY_NAMES, REPO
from safetensors.torch import load_file

from egt.families import FAMILIES, family, family_of_processor
from egt.generation.pairs import judge_pairs
from egt.generation.sampling import Sampling
from egt.modeling import load_model, load_processor, processor_class


def test_the_config_schema_names_exactly_the_registered_families():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    listed = schema["properties"]["model"]["properties"]["tiny"]["properties"]["family"]
    assert listed["enum"] == list(FAMILIES) == FAMILY_NAMES and listed["default"] == "qwen2_5_vl"
    with pytest.raises(ValueError, match="unknown model family 'llava'"):
        family("llava")


def test_each_family_builds_and_reloads_as_its_own_image_only_processor(tiny_family_model):
    name, path, info = tiny_family_model
    assert info["family"] == name and info["image_tokens_per_image"] == 4  # 56 px -> a 2 x 2 grid of tokens
    assert family_of_processor(processor_class(path)).name == name
    processor = load_processor(str(path))
    assert type(processor).__name__ == processor_class(path) and getattr(processor, "video_processor", None) is None
    model = load_model(str(path))
    assert model.config.model_type == name


def test_each_family_samples_rollouts_with_every_entropy_column(tiny_family_model, tiny_pairs):
    """Exact re-scoring itself is checked per family in tests/test_scoring.py."""
    _, path, _ = tiny_family_model
    model, processor = load_model(str(path)), load_processor(str(path))
    rollouts = judge_pairs(model, processor, tiny_pairs, Sampling(10, 1.0, 2), batch_size=4, seed=0, template="egt")
    entropy = rollouts["mean_token_entropy"]
    assert rollouts.height == 2 * tiny_pairs.height and entropy.is_finite().all()
    assert entropy.max() <= math.log(model.config.text_config.vocab_size) + 1e-4
    assert rollouts["forking_token_entropy"].is_finite().all()
    assert (rollouts["forking_token_entropy"] >= entropy - 1e-6).all()  # the top fifth's mean is at least the mean


@pytest.mark.pipeline
# 70-90 s on 2 cores: CI's 12-minute budget ran over at stop 30 (727 s, then 758 s on a slower hour), so
# the end-to-end run is in make test-slow; each family's build, reload and rollouts with every entropy
# column (above) stay in make test
@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in FAMILIES if name != "qwen2_5_vl"])
def test_the_smoke_pipeline_runs_on_each_other_family(name, tmp_path):
    """SFT, rollouts with exact entropy, curation, GRPO and evaluation of the final model on the smoke
    preset with ``model.tiny.family`` set (the report and the release are family-blind and left out)."""
    from conftest import snakemake

    overlay = tmp_path / "family.yaml"
    # the smoke preset on fewer pairs and tokens (SFT as long: GRPO needs judgments in the format to learn from)
    shorter = {
        "model": {"tiny": {"family": name}},
        "toy_world": {"pool_size": 24, "benchmark_size": 8},
        "rollout": {"max_new_tokens": 24},
        "grpo": {"max_completion_length": 24},
        "evaluation": {"max_new_tokens": 24},
    }
    overlay.write_text(yaml.safe_dump(shorter))
    target = "results/smoke/evaluation/final/benchmark_toy.json"  # before --configfile, which takes every path
    snakemake("--cores", "2", target, "--configfile", str(REPO / "config/smoke.yaml"), str(overlay), workdir=tmp_path)
    results = tmp_path / "results/smoke"
    for model in ("models/base", "sft/model", "grpo/stage_2/model"):
        assert yaml.safe_load((results / model / "config.json").read_text())["model_type"] == name, model
    rollouts = pl.read_parquet(results / "rollouts/shard_0.parquet")
    assert rollouts["mean_token_entropy"].is_finite().all() and rollouts["forking_token_entropy"].is_finite().all()
    metrics = yaml.safe_load((results / "evaluation/final/benchmark_toy.json").read_text())
    assert metrics["pairs"] == 8 and 0 <= metrics["accuracy"] <= 1
    # SFT moved the weights from the base model, and GRPO (two stages of two steps) moved them from SFT's
    weights = [load_file(results / m / "model.safetensors") for m in ("models/base", "sft/model", "grpo/stage_2/model")]
    for before, after in zip(weights, weights[1:], strict=False):
        assert any(not torch.equal(before[k], after[k]) for k in before)
