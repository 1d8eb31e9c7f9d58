"""Bad configuration stops snakemake before any job runs, naming the key."""

import yaml
from conftest import REPO, snakemake


def output(result) -> str:
    return result.stdout + result.stderr


def dry_run_with(tmp_path, override: dict):
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(override))
    return snakemake("-n", "--configfile", str(path), workdir=tmp_path, check=False, timeout=300)


def test_default_config_is_valid(tmp_path):
    result = snakemake("-n", workdir=tmp_path, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "rule grpo_stage" in output(result)


def test_out_of_range_value_names_the_key(tmp_path):
    result = dry_run_with(tmp_path, {"curation": {"keep_quantile": 1.5}})
    assert result.returncode != 0
    assert "keep_quantile" in output(result) and "1.5" in output(result)
    assert not (tmp_path / "results").exists()


def test_unknown_key_is_refused(tmp_path):
    result = dry_run_with(tmp_path, {"rollout": {"num_sample": 8}})
    assert result.returncode != 0
    assert "num_sample" in output(result)


def test_wrong_type_is_refused(tmp_path):
    result = dry_run_with(tmp_path, {"sft": {"max_steps": "many"}})
    assert result.returncode != 0
    assert "max_steps" in output(result) and "many" in output(result)


def test_bad_enum_lists_allowed_values(tmp_path):
    result = dry_run_with(tmp_path, {"curriculum": {"order": "sideways"}})
    assert result.returncode != 0
    assert "order" in output(result) and "low_to_high" in output(result)


def test_cross_field_rule(tmp_path):
    result = dry_run_with(tmp_path, {"grpo": {"batch_size": 6}})
    assert result.returncode != 0
    assert "grpo.batch_size" in output(result) and "num_generations" in output(result)


def test_smoke_preset_is_valid(tmp_path):
    result = snakemake(
        "-n", "--configfile", str(REPO / "config/smoke.yaml"), workdir=tmp_path, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr


def test_ablation_settings_are_checked(tmp_path):
    too_many = dry_run_with(tmp_path, {"ablation": {"seeds": [1], "sweep_seeds": 2}})
    assert too_many.returncode != 0 and "ablation.sweep_seeds" in output(too_many)
    uneven = dry_run_with(tmp_path, {"ablation": {"keep_quantiles": [0.755]}})
    assert uneven.returncode != 0 and "two decimals" in output(uneven) and "0.755" in output(uneven)
    assert not (tmp_path / "results").exists()
