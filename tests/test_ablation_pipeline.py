"""The ablation target on the smoke preset, on top of a finished smoke run: its plan in `make test`
(the arms share the SFT model and rollouts: no job upstream of GRPO); the real run, what only a run
shows (equal step counts, the table from real logs, who reads the truth, the report), in the slow
tier (`make test-slow`, about 4 minutes: CI's budget has no room for it). The arms' schedules and
statistics are unit-tested in test_ablation.py."""

import json
import shutil

import polars as pl
import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake

from egt.io import read_parquet
from egt.schemas import HIDDEN_COLUMNS

pytestmark = pytest.mark.pipeline
SMOKE = str(REPO / "config/smoke.yaml")
ARMS = ["baseline", "egt", "oracle_labels"]
# One seed, and the sweep at EGT's own keep_quantile (0.7), so the sweep shares EGT's run: every
# rule of the ablation runs, with the fewest jobs (the statistics over seeds are unit-tested).
ABLATION = {"arms": ARMS, "seeds": [1], "extra_seeds": [], "keep_quantiles": [0.7], "bootstrap_resamples": 100}
RUNS = "results/smoke/ablation/runs"


@pytest.fixture(scope="module")
def ablation_plan(smoke_run, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("ablation") / "run"
    shutil.copytree(smoke_run, workdir, symlinks=True)  # copy2 keeps mtimes: nothing upstream reruns
    override = workdir / "ablation.yaml"
    override.write_text(yaml.safe_dump({"ablation": ABLATION}))
    configs = ["--configfile", SMOKE, str(override)]
    dry = snakemake("-n", "ablation", *configs, workdir=workdir)
    return workdir, jobs_planned(dry.stdout + dry.stderr), configs


@pytest.fixture(scope="module")
def ablation_run(ablation_plan):
    workdir, planned, configs = ablation_plan
    # two one-thread jobs at a time: tiny models train about as fast on one core as on two
    threads = ["--set-threads", "ablation_grpo_stage=1", "ablation_evaluate=1"]
    snakemake("--cores", "2", "ablation", *threads, *configs, workdir=workdir)
    return workdir, planned, configs


def test_arms_share_the_sft_model_and_rollouts(ablation_plan):
    _, planned, _ = ablation_plan
    # 3 arms x 1 seed, 2 stages each; the sweep's q=0.70 is EGT's run, evaluated on validation too;
    # no SFT, rollout or entropy job
    assert planned == {
        "ablation_schedule": 3,
        "ablation_oracle_pool": 1,
        "ablation_grpo_stage": 6,
        "ablation_evaluate": 4,
        "ablation_table": 1,
        "ablation": 1,
    }


@pytest.mark.slow
def test_every_run_trains_the_same_steps_and_the_table_reads_them(ablation_run):
    workdir, _, _ = ablation_run
    result = json.loads((workdir / "results/smoke/ablation/ablation.json").read_text())
    assert list(result["arms"]) == ARMS and result["split"] == "benchmark_toy"
    for row in result["arms"].values():
        for seed in ("1",):
            run = workdir / RUNS / row["variant"] / f"seed_{seed}"
            steps = [
                max(r["step"] for r in json.loads((run / f"stage_{s}/log_history.json").read_text())) for s in (1, 2)
            ]
            assert steps == [2, 2]  # grpo.steps_per_stage of the smoke preset, in every arm
            metrics = json.loads((run / "evaluation/benchmark_toy.json").read_text())
            assert row["accuracy_by_seed"][seed] == metrics["accuracy"]
        assert len(row["by_stage"]) == 2 and row["by_stage"][0]["answers_first"] is not None
    assert result["arms"]["egt"]["pairs_trained_on"] == 34 and result["arms"]["baseline"]["pairs_trained_on"] == 48
    # the sweep point is scored on the validation split, the arms on the benchmark
    assert [row["keep_quantile"] for row in result["sweep"]] == [0.7]
    sweep_run = workdir / RUNS / "noisy_entropy_low_to_high_q0.70/seed_1/evaluation"
    assert result["sweep"][0]["accuracy"] == json.loads((sweep_run / "validation_toy.json").read_text())["accuracy"]
    # the oracle control trains on the true labels, on the baseline's schedule
    hidden = read_parquet(workdir / "results/smoke/data/pool_hidden.parquet", HIDDEN_COLUMNS).sort("pair_id")
    true_pool = pl.read_parquet(workdir / "results/smoke/ablation/pool_true_labels.parquet").sort("pair_id")
    assert true_pool["label"].to_list() == hidden["true_label"].to_list() and hidden["is_noisy"].any()
    baseline = pl.read_parquet(workdir / RUNS / "noisy_entropy_random_q1.00/seed_1/schedule.parquet")
    assert pl.read_parquet(workdir / RUNS / "oracle_entropy_random_q1.00/seed_1/schedule.parquet").equals(baseline)
    page = (workdir / "results/smoke/ablation/ablation.md").read_text()
    assert all(f"| {arm} |" in page for arm in ARMS) and "Verdict preconditions" in page
    assert "The pool is ranked by the SFT model RL starts from" in page
    assert (workdir / "results/smoke/ablation/ablation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_only_analysis_and_the_oracle_read_the_hidden_truth(ablation_run):
    workdir, _, configs = ablation_run
    result = snakemake("ablation", *configs, "--detailed-summary", "--cores", "1", workdir=workdir)
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:] if "\t" in line]
    readers = {row[2] for row in rows if "pool_hidden.parquet" in row[4]}
    assert readers == {"ablation_table", "ablation_oracle_pool"}


def test_ablation_refuses_hub_data(tmp_path):
    for local in ("sft_candidates", "multimodal_rewardbench"):
        (tmp_path / "resources/local" / local).mkdir(parents=True)
    result = snakemake("-n", "ablation", "--configfile", str(REPO / "config/paper.yaml"), workdir=tmp_path, check=False)
    assert result.returncode != 0
    assert "toy world's injected-noise truth" in result.stdout + result.stderr


@pytest.mark.slow
def test_report_includes_the_ablation(ablation_run):
    workdir, _, configs = ablation_run
    report = workdir / "report.html"
    snakemake("--report", str(report), "all", "ablation", *configs, workdir=workdir)
    page = report.read_text()
    assert "6. Ablation" in page and "ablation.png" in page and "ablation.html" in page
