"""Issue 24's scorer: the choice by the noisy validation split (unit), and the real rules on the smoke
preset, on top of a finished smoke run (pipeline tier)."""

import json
import re
import shutil

import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake

from egt.analysis.scorer import scorer_name, sweep, sweep_markdown

SMOKE = str(REPO / "config/smoke.yaml")


def point(traces, steps, auroc, ceiling=0.77):
    return {
        "traces": traces,
        "steps": steps,
        "ceiling": ceiling,
        "signals": [{"signal": "pair_entropy", "auroc": auroc, "ci95": [auroc - 0.05, auroc + 0.04]}],
    }


def test_the_cheapest_scorer_that_sees_the_noise_is_chosen():
    points = [point(1024, 1200, 0.74), point(256, 300, 0.55), point(512, 600, 0.71)]
    result = sweep(points, target=0.70)
    assert [p["scorer"] for p in result["points"]] == ["t256_s300", "t512_s600", "t1024_s1200"]  # cheapest first
    assert result["chosen"] == "t512_s600"
    assert sweep(points, target=0.80)["chosen"] is None
    assert "chosen: **none" in sweep_markdown(sweep(points, target=0.80))
    assert "| t512_s600 | 512 | 600 | 0.710 | 0.660 to 0.750 | 0.770 |" in sweep_markdown(result)
    assert scorer_name({"traces": 64, "steps": 8}) == "t64_s8"


BUDGETS = [{"traces": 16, "steps": 2}, {"traces": 24, "steps": 3}]


def scorer_workdir(smoke_run, tmp_path):
    workdir = tmp_path / "run"
    shutil.copytree(smoke_run, workdir, symlinks=True)  # copy2 keeps mtimes: nothing upstream reruns
    override = workdir / "scorer.yaml"
    override.write_text(yaml.safe_dump({"entropy": {"scorer_sweep": BUDGETS, "noisy_validation_size": 24}}))
    return workdir, ["--configfile", SMOKE, str(override)]


@pytest.mark.pipeline
def test_the_scorer_dag_reads_only_the_noisy_splits_truth_and_leaves_rl_to_the_sft_model(smoke_run, tmp_path):
    workdir, configs = scorer_workdir(smoke_run, tmp_path)
    dry = snakemake("-n", "scorer_sweep", *configs, workdir=workdir)
    assert jobs_planned(dry.stdout + dry.stderr) == {
        "noisy_validation": 1,
        "scorer_traces": 2,
        "scorer_sft": 2,
        "scorer_rollout": 4,  # 2 scorers x 2 shards over the noisy validation split
        "scorer_entropy": 2,
        "scorer_auroc": 2,
        "scorer_sweep": 1,
    }
    # only the AUROC rule reads a truth, the noisy validation split's: the pool's takes no part in the choice
    inputs = re.findall(r"^(?:local)?rule (\w+):\n    input: (.*)$", dry.stdout + dry.stderr, flags=re.MULTILINE)
    assert {rule for rule, files in inputs if "_hidden.parquet" in files} == {"scorer_auroc"}
    assert not any("pool_hidden" in files for _, files in inputs)
    # ranking the pool by a scorer: its pool rollouts and table, then curation; RL still from the SFT model
    (workdir / "model.yaml").write_text(yaml.safe_dump({"entropy": {"model": "scorer", "scorer": BUDGETS[1]}}))
    dry = snakemake("-n", "all", "ablation", *configs, str(workdir / "model.yaml"), workdir=workdir)
    planned = jobs_planned(dry.stdout + dry.stderr)
    assert planned["scorer_sft"] == 1 and planned["scorer_rollout"] == 2 and planned["curate"] == 1
    assert "sft" not in planned and "rollout" not in planned
    # both ablations' tables (the SFT model's ranking and the scorer's), then the two side by side
    assert planned["ablation_table"] == 2 and planned["ablation_side_by_side"] == 1
    # the ablation's ranked runs read the scorer's table in its own folder; the runs no ranking changes
    # (baseline, oracle, random drop) are the default ablation's, drawn from the SFT model's table, which
    # also ranks the default's own ranked runs for the side-by-side
    schedules = re.findall(
        r"^(?:local)?rule ablation_schedule:\n    input: (\S+)\n    output: results/smoke/(\w+)/runs/([\w.]+)/seed_1/",
        dry.stdout + dry.stderr,
        flags=re.MULTILINE,
    )
    ranked = {
        "noisy_entropy_random_q0.70",  # curation only
        "noisy_entropy_low_to_high_q1.00",  # curriculum only (and a sweep point)
        "noisy_entropy_low_to_high_q0.70",  # EGT
        "noisy_entropy_high_to_low_q0.70",
        "noisy_agreement_random_q1.00",  # label-aware
        "noisy_entropy_low_to_high_q0.50",  # the other sweep point
    }
    shared = {"noisy_entropy_random_q1.00", "oracle_entropy_random_q1.00", "noisy_random_random_q0.70"}
    scorer_table, sft_table = (
        "results/smoke/scorers/t24_s3/pool/pair_entropy.parquet",
        "results/smoke/entropy/pair_entropy.parquet",
    )
    assert sorted((folder, variant, table) for table, folder, variant in schedules) == sorted(
        [("ablation_scorer_t24_s3", variant, scorer_table) for variant in ranked]
        + [("ablation", variant, sft_table) for variant in ranked | shared]
    )


@pytest.mark.pipeline
@pytest.mark.slow  # about a minute on top of the smoke run: CI's budget has no room for it (make test-slow)
def test_scorers_are_built_and_scored_on_the_noisy_split(smoke_run, tmp_path):
    workdir, configs = scorer_workdir(smoke_run, tmp_path)
    snakemake("--cores", "2", "scorer_sweep", *configs, workdir=workdir)
    results = workdir / "results/smoke"
    sweep_result = json.loads((results / "ablation/scorer_sweep.json").read_text())
    assert [p["scorer"] for p in sweep_result["points"]] == ["t16_s2", "t24_s3"]
    assert all(0 <= p["pair_entropy"] <= 1 and 0 <= p["ceiling"] <= 1 for p in sweep_result["points"])
    assert (results / "ablation/scorer_sweep.png").stat().st_size > 0
    history = json.loads((results / "scorers/t24_s3/log_history.json").read_text())
    assert max(entry.get("step", 0) for entry in history) == 3  # the scorer's own step count
