"""Handing on results/: a copied folder adopted into a fresh checkout, with real runs of the smoke preset."""

import json
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake

pytestmark = pytest.mark.pipeline
SMOKE = "config/smoke.yaml"
CHECKOUT = ("Snakefile", "workflow", "scripts", "src", "config", "envs", "tools", "pyproject.toml")


def fresh_checkout_with_copy(smoke_run, tmp_path):
    """A fresh copy of the workflow (new mtimes) with the smoke run's results/ copied in (mtimes kept)."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for item in CHECKOUT:
        source = REPO / item
        if source.is_dir():  # shutil.copy: new mtimes, as a fresh clone has
            shutil.copytree(source, checkout / item, symlinks=True, copy_function=shutil.copy)
        else:
            shutil.copy(source, checkout / item)
    shutil.copytree(smoke_run / "results", checkout / "results")  # copy2: mtimes kept, as tar does
    return checkout


def adopt(checkout, *configs):
    command = [sys.executable, str(checkout / "tools/adopt_results.py"), "--configfile", SMOKE, *configs]
    return subprocess.run(command, cwd=checkout, capture_output=True, text=True)


def planned(checkout, *configs):
    dry = snakemake("-n", "--configfile", SMOKE, *configs, workdir=checkout, snakefile=checkout / "Snakefile")
    return jobs_planned(dry.stdout + dry.stderr)


def test_a_matching_copy_is_adopted_whole(smoke_run, tmp_path):
    checkout = fresh_checkout_with_copy(smoke_run, tmp_path)
    assert planned(checkout)  # without adoption a fresh checkout would redo everything
    result = adopt(checkout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 set aside" in result.stdout and "what `snakemake` will now run:  nothing" in result.stdout
    assert planned(checkout) == {}


def test_a_run_of_the_default_config_is_adopted_without_a_configfile(smoke_run, tmp_path):
    """The default run is adopted with no --configfile (an empty one used to crash the closing dry
    run): here the checkout's default config is the config the smoke run used, so the smoke run's
    results are that checkout's default run."""
    checkout = fresh_checkout_with_copy(smoke_run, tmp_path)
    used = json.loads((checkout / "results/smoke/manifest.json").read_text())["config"]  # as the run saw it
    (checkout / "config/config.yaml").write_text(yaml.safe_dump(used, sort_keys=False))
    result = subprocess.run([sys.executable, str(checkout / "tools/adopt_results.py")], cwd=checkout,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "adopting results/smoke:" in result.stdout and "0 set aside" in result.stdout
    assert "what `snakemake` will now run:  nothing" in result.stdout


def test_a_copy_made_with_another_keep_quantile_reruns_from_curation(smoke_run, tmp_path):
    checkout = fresh_checkout_with_copy(smoke_run, tmp_path)
    override = tmp_path / "q.yaml"
    override.write_text(yaml.safe_dump({"curation": {"keep_quantile": 0.5}}))
    result = adopt(checkout, str(override))
    assert result.returncode == 1
    assert "config curation.keep_quantile: 0.7 in the copy, 0.5 here" in result.stdout
    assert "made with other params: results/smoke/curation/kept.parquet" in result.stdout
    jobs = planned(checkout, str(override))
    assert {"curate", "curriculum", "grpo_stage", "summary", "report_plots", "manifest"} <= set(jobs)
    assert not {"toy_world", "validate_data", "base_model", "sft", "rollout", "entropy_tables"} & set(jobs)
    assert jobs["evaluate"] == 2  # the final model on the benchmark and the validation set; SFT's stand


def test_a_damaged_file_is_never_adopted_nor_anything_made_from_it(smoke_run, tmp_path):
    checkout = fresh_checkout_with_copy(smoke_run, tmp_path)
    shard = checkout / "results/smoke/rollouts/shard_0.parquet"
    shard.write_bytes(shard.read_bytes()[:100])  # truncated in transit
    result = adopt(checkout)
    assert "altered (sha256 differs from the manifest; never adopted): results/smoke/rollouts/shard_0.parquet" in (
        result.stdout
    )
    assert not shard.exists() and list((checkout / "results").glob("smoke.not-adopted/*/results/smoke/rollouts"))
    jobs = planned(checkout)
    assert jobs["rollout"] == 1 and {"entropy_tables", "curate", "grpo_stage", "summary"} <= set(jobs)
    assert not {"toy_world", "sft", "base_model"} & set(jobs)


def test_a_checkout_whose_stage_code_differs_reruns_that_stage(smoke_run, tmp_path):
    """Code changed = the rule's script or any egt module it imports (transitively) differs in content."""
    checkout = fresh_checkout_with_copy(smoke_run, tmp_path)
    module = checkout / "src/egt/curation/quantile.py"
    module.write_text(module.read_text() + "\n# a change to the curation code\n")
    result = adopt(checkout)
    assert "code of rule curate differs" in result.stdout
    jobs = planned(checkout)
    assert {"curate", "curriculum", "grpo_stage"} <= set(jobs)
    assert not {"toy_world", "sft", "rollout", "entropy_tables"} & set(jobs)
