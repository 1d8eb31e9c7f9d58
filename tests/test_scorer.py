"""Issue 24's scorer: the choice by the noisy validation split (unit), and the real rules on the smoke
preset, on top of a finished smoke run (pipeline tier)."""

import json
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
        "signals": [{"signal": "pair_entropy", "auroc": auroc}],
    }


def test_the_cheapest_scorer_that_sees_the_noise_is_chosen():
    points = [point(1024, 1200, 0.74), point(256, 300, 0.55), point(512, 600, 0.71)]
    result = sweep(points, target=0.70)
    assert [p["scorer"] for p in result["points"]] == ["t256_s300", "t512_s600", "t1024_s1200"]  # cheapest first
    assert result["chosen"] == "t512_s600"
    assert sweep(points, target=0.80)["chosen"] is None
    assert "chosen: **none" in sweep_markdown(sweep(points, target=0.80))
    assert "| t512_s600 | 512 | 600 | 0.710 | 0.770 |" in sweep_markdown(result)
    assert scorer_name({"traces": 64, "steps": 8}) == "t64_s8"


@pytest.mark.pipeline
def test_scorers_are_built_scored_on_the_noisy_split_and_can_rank_the_pool(smoke_run, tmp_path):
    workdir = tmp_path / "run"
    shutil.copytree(smoke_run, workdir, symlinks=True)  # copy2 keeps mtimes: nothing upstream reruns
    budgets = [{"traces": 16, "steps": 2}, {"traces": 24, "steps": 3}]
    override = workdir / "scorer.yaml"
    override.write_text(yaml.safe_dump({"entropy": {"scorer_sweep": budgets, "noisy_validation_size": 24}}))
    configs = ["--configfile", SMOKE, str(override)]
    snakemake("--cores", "2", "scorer_sweep", *configs, workdir=workdir)
    results = workdir / "results/smoke"
    sweep_result = json.loads((results / "ablation/scorer_sweep.json").read_text())
    assert [p["scorer"] for p in sweep_result["points"]] == ["t16_s2", "t24_s3"]
    assert all(0 <= p["pair_entropy"] <= 1 and 0 <= p["ceiling"] <= 1 for p in sweep_result["points"])
    assert (results / "ablation/scorer_sweep.png").stat().st_size > 0
    history = json.loads((results / "scorers/t24_s3/log_history.json").read_text())
    assert max(entry.get("step", 0) for entry in history) == 3  # the scorer's own step count
    # only the AUROC rule reads a truth, the noisy validation split's: the pool's takes no part in the choice
    summary = snakemake("scorer_sweep", *configs, "--detailed-summary", "--cores", "1", workdir=workdir)
    rows = [line.split("\t") for line in summary.stdout.splitlines()[1:] if "\t" in line]
    assert {row[2] for row in rows if "_hidden.parquet" in row[4]} == {"scorer_auroc"}
    assert not any("pool_hidden" in row[4] for row in rows)
    # ranking the pool by a scorer: its pool rollouts and table, then curation; RL still from the SFT model
    (workdir / "model.yaml").write_text(yaml.safe_dump({"entropy": {"model": "scorer", "scorer": budgets[1]}}))
    dry = snakemake("-n", "all", *configs, str(workdir / "model.yaml"), workdir=workdir)
    planned = jobs_planned(dry.stdout + dry.stderr)
    assert planned["scorer_rollout"] == 2 and planned["scorer_entropy"] == 1 and planned["curate"] == 1
    assert "sft" not in planned and "rollout" not in planned and "scorer_sft" not in planned
