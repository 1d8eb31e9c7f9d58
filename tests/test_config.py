"""The configuration: schema and cross-field checks in-process, one real Snakemake refusal, the docs."""

import subprocess
import sys

import jsonschema
import pytest
import yaml
from conftest import REPO, snakemake

from egt.config import ConfigError, check_config, load_config, merge

PAPER, SMOKE = REPO / "config/paper.yaml", REPO / "config/smoke.yaml"


def refused(override: dict, *layers) -> str:
    """The message with which ``override`` (on the default config and ``layers``) is refused."""
    with pytest.raises((jsonschema.ValidationError, ConfigError, Exception)) as caught:
        load_config(*layers, override)
    return str(caught.value)


def test_shipped_configs_are_valid():
    default = load_config()
    assert default["run"] == "toy" and default["judging"]["template"] == "egt"
    assert load_config(SMOKE)["run"] == "smoke"
    paper = load_config(PAPER)
    assert paper["run"] == "paper" and paper["judging"]["template"] == "r1_reward"
    # schema defaults fill what a config leaves out
    assert default["cluster"]["mem_mb"]["other"] == 1000 and default["train"]["bf16"] is False


def test_layers_merge_key_by_key():
    assert merge({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": 5}}) == {"a": {"b": 5, "c": 2}, "d": 3}


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"curation": {"keep_quantile": 1.5}}, ["keep_quantile", "1.5"]),
        ({"rollout": {"num_sample": 8}}, ["num_sample"]),
        ({"sft": {"max_steps": "many"}}, ["max_steps", "many"]),
        ({"curriculum": {"order": "sideways"}}, ["sideways", "low_to_high"]),
        ({"run": "a/b"}, ["a/b"]),
        ({"judging": {"template": "mine"}}, ["mine", "r1_reward"]),
    ],
)
def test_schema_names_the_key_and_value(override, words):
    message = refused(override)
    assert all(word in message for word in words), message


@pytest.mark.parametrize(
    ("override", "layers", "words"),
    [
        ({"grpo": {"batch_size": 6}}, [], ["grpo.batch_size", "num_samples"]),
        ({"train": {"cpu_processes": 3}}, [], ["sft.batch_size", "3 training processes"]),
        ({"cluster": {"gpus": {"grpo": 3}}}, [PAPER], ["grpo.batch_size", "3 training processes"]),
        (
            {
                "model": {
                    "tiny": {
                        **yaml.safe_load((REPO / "config/config.yaml").read_text())["model"]["tiny"],
                        "num_heads": 3,
                    }
                }
            },
            [],
            ["model.tiny.hidden_size"],
        ),
        ({"rollout": {"shards": 100}}, [SMOKE], ["rollout.shards", "pool_size"]),
        ({"ablation": {"seeds": [1, 4], "extra_seeds": [4]}}, [], ["ablation.extra_seeds repeats"]),
        ({"ablation": {"arms": ["egt", "best_arm"]}}, [], ["best_arm"]),
        ({"ablation": {"keep_quantiles": [0.755]}}, [], ["two decimals", "0.755"]),
        ({"data": {"source": "hub", "datasets": {}}}, [], ["data.datasets lacks", "pool"]),
        ({"data": {"datasets": {"sft": {"path": "x", "adapter": "egt_pairs"}}}}, [PAPER], ["drop data.datasets.sft"]),
        ({"teacher": {"enabled": False}}, [PAPER], ["sft_candidates needs teacher.enabled"]),
        # names a registry holds, not the schema: the message lists the registered ones
        ({"curation": {"signal": "vibes"}}, [], ["curation.signal", "'vibes'", "pair_entropy, answer_token_entropy"]),
        (
            {"data": {"datasets": {"benchmark_x": {"path": "x", "adapter": "vl_reward_bench"}}}},
            [PAPER],
            ["data.datasets.benchmark_x.adapter", "'vl_reward_bench'", "vl_rewardbench, mm_rlhf_rewardbench"],
        ),
    ],
)
def test_cross_field_rules(override, layers, words):
    message = refused(override, *layers)
    assert all(word in message for word in words), message


def test_tiny_base_needs_its_architecture():
    config = load_config()
    del config["model"]["tiny"]
    with pytest.raises(ConfigError, match=r"model.tiny \(the architecture to build\) is missing"):
        check_config(config)


def test_teacher_needs_its_endpoint():
    paper = yaml.safe_load(PAPER.read_text())
    paper["teacher"] = {"enabled": True, "model": "m"}
    message = refused(paper)
    assert "teacher.api_key_env, teacher.base_url" in message


def test_hub_source_needs_a_benchmark():
    paper = yaml.safe_load(PAPER.read_text())
    paper["data"]["datasets"] = {k: v for k, v in paper["data"]["datasets"].items() if not k.startswith("benchmark_")}
    assert "names no benchmark_<name>" in refused(paper)


def test_schema_uses_only_json_schema_keywords():
    """A comma inside a YAML flow mapping silently turns the rest of a description into keys."""
    known = {
        "$schema", "title", "description", "type", "additionalProperties", "required", "properties", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "default", "enum", "propertyNames", "oneOf", "minLength",
        "minItems", "items", "uniqueItems", "multipleOf",
    }  # fmt: skip

    def strays(node, under_properties=False):
        if isinstance(node, list):
            return [s for item in node for s in strays(item)]
        if not isinstance(node, dict):
            return []
        found = [] if under_properties else [k for k in node if k not in known]
        # a default is a value, not schema: its keys are the config's own
        return found + [s for k, v in node.items() if k != "default" for s in strays(v, k == "properties")]

    assert strays(yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())) == []


def test_config_readme_is_generated_from_the_schema():
    generated = subprocess.run(
        [sys.executable, str(REPO / "tools/config_docs.py"), "--stdout"], capture_output=True, text=True, check=True
    ).stdout
    assert (REPO / "config/README.md").read_text() == generated, "run: python tools/config_docs.py"
    for key in ("`run`", "`grpo.num_samples`", "`cluster.mem_mb.sft`", "`data.datasets.<role>.files`"):
        assert key in generated


@pytest.mark.pipeline
def test_snakemake_refuses_a_bad_config_before_any_job(tmp_path):
    override = tmp_path / "bad.yaml"
    override.write_text(yaml.safe_dump({"grpo": {"batch_size": 6}}))
    result = snakemake("-n", "--configfile", str(override), workdir=tmp_path, check=False, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "invalid configuration: grpo.batch_size (6) must be a multiple of grpo.num_samples (8)" in output
    assert "Traceback" not in output and not (tmp_path / "results").exists()
