"""The ablation target, run for real on the smoke preset on top of a finished smoke run."""

import json
import shutil

import polars as pl
import pytest
from conftest import REPO, jobs_planned, snakemake

from egt.io import read_parquet
from egt.schemas import HIDDEN_COLUMNS, PAIR_ENTROPY_SCHEMA

pytestmark = pytest.mark.pipeline
SMOKE = str(REPO / "config/smoke.yaml")
ARMS = ["baseline", "curation_only", "curriculum_only", "egt", "high_to_low", "oracle_labels"]


@pytest.fixture(scope="module")
def ablation_run(smoke_run, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("ablation") / "run"
    shutil.copytree(smoke_run, workdir, symlinks=True)  # copy2 keeps mtimes: nothing upstream reruns
    dry = snakemake("-n", "ablation", "--configfile", SMOKE, workdir=workdir)
    snakemake("--cores", "2", "ablation", "--configfile", SMOKE, workdir=workdir)
    return workdir, jobs_planned(dry.stdout + dry.stderr)


def test_arms_share_the_sft_model_and_rollouts(ablation_run):
    _, planned = ablation_run
    # 6 arms x 2 seeds + the sweep's q=0.50 (its 1.00 point is the curriculum-only arm), 2 stages each
    assert planned == {
        "ablation_schedule": 13,
        "ablation_oracle_pool": 1,
        "ablation_grpo_stage": 26,
        "ablation_evaluate": 13,
        "ablation_table": 1,
        "ablation": 1,
    }


def test_every_arm_trains_the_same_steps_on_its_own_schedule(ablation_run):
    workdir, _ = ablation_run
    result = json.loads((workdir / "results/smoke/ablation/ablation.json").read_text())
    pairs = read_parquet(workdir / "results/smoke/entropy/pair_entropy.parquet", PAIR_ENTROPY_SCHEMA)
    expected_sizes = {
        "baseline": 48,
        "curriculum_only": 48,
        "curation_only": 34,
        "egt": 34,
        "high_to_low": 34,
        "oracle_labels": 48,
    }
    for arm in ARMS:
        row = result["arms"][arm]
        assert row["pairs_trained_on"] == expected_sizes[arm]
        for seed in (1, 2):
            run = workdir / "results/smoke/ablation/runs" / row["variant"] / f"seed_{seed}"
            stages = pl.read_parquet(run / "schedule.parquet")
            assert stages.height == expected_sizes[arm]
            if arm in ("egt", "curriculum_only"):
                assert (
                    stages.filter(pl.col("stage") == 1)["pair_entropy"].max()
                    <= stages.filter(pl.col("stage") == 2)["pair_entropy"].min()
                )
            if arm == "high_to_low":
                assert (
                    stages.filter(pl.col("stage") == 1)["pair_entropy"].min()
                    >= stages.filter(pl.col("stage") == 2)["pair_entropy"].max()
                )
            steps = [
                max(r["step"] for r in json.loads((run / f"stage_{s}/log_history.json").read_text())) for s in (1, 2)
            ]
            assert steps == [2, 2]  # grpo.steps_per_stage of the smoke preset, in every arm
            metrics = json.loads((run / "eval/toy.json").read_text())
            assert row["accuracy_by_seed"][str(seed)] == metrics["accuracy"]
    # the random-order arms really are shuffled per seed
    baseline = workdir / "results/smoke/ablation/runs/random_q1.00"
    assert not pl.read_parquet(baseline / "seed_1/schedule.parquet").equals(
        pl.read_parquet(baseline / "seed_2/schedule.parquet")
    )
    assert pairs.height == 48
    # the oracle control: the baseline's schedule, with the true labels
    oracle = workdir / "results/smoke/ablation/runs/oracle_random_q1.00"
    assert pl.read_parquet(oracle / "seed_1/schedule.parquet").equals(
        pl.read_parquet(baseline / "seed_1/schedule.parquet")
    )
    hidden = read_parquet(workdir / "results/smoke/data/pool_hidden.parquet", HIDDEN_COLUMNS).sort("pair_id")
    true_pool = pl.read_parquet(workdir / "results/smoke/ablation/pool_true_labels.parquet").sort("pair_id")
    assert true_pool["label"].to_list() == hidden["true_label"].to_list() and hidden["is_noisy"].any()


def test_table_numbers_agree_with_the_hidden_truth(ablation_run):
    workdir, _ = ablation_run
    result = json.loads((workdir / "results/smoke/ablation/ablation.json").read_text())
    hidden = read_parquet(workdir / "results/smoke/data/pool_hidden.parquet", HIDDEN_COLUMNS)
    detection = result["noise_detection"]
    assert detection["noise_rate_before"] == pytest.approx(hidden["is_noisy"].mean())
    assert 0.0 <= detection["auroc"] <= 1.0
    assert detection["pairs_kept"] == 34 and detection["pairs_dropped"] == 14
    rho = result["entropy_vs_accuracy"]["spearman_accuracy"]
    assert rho["ci95"][0] <= rho["rho"] <= rho["ci95"][1]
    assert [row["keep_quantile"] for row in result["sweep"]] == [0.5, 1.0]
    assert [row["pairs_kept"] for row in result["sweep"]] == [24, 48]
    assert result["sweep"][1]["accuracy_mean"] == result["arms"]["curriculum_only"]["accuracy_by_seed"]["1"]
    for arm in ARMS:
        row = result["arms"][arm]
        assert row["std"] is not None and row["mean"] == pytest.approx(sum(row["accuracy_by_seed"].values()) / 2)
        assert (row["vs_baseline"] is None) == (arm == "baseline")
    markdown = (workdir / "results/smoke/ablation/ablation.md").read_text()
    assert all(f"| {arm} |" in markdown for arm in ARMS)
    assert "AUROC" in markdown and "keep_quantile sweep" in markdown
    html = (workdir / "results/smoke/ablation/ablation.html").read_text()
    assert "<table>" in html and "curation_only" in html
    assert (workdir / "results/smoke/ablation/ablation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_only_analysis_and_the_oracle_read_the_hidden_truth(ablation_run):
    workdir, _ = ablation_run
    result = snakemake("ablation", "--configfile", SMOKE, "--detailed-summary", "--cores", "1", workdir=workdir)
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:] if "\t" in line]
    readers = {row[2] for row in rows if "pool_hidden.parquet" in row[4]}
    assert readers == {"ablation_table", "ablation_oracle_pool"}


def test_ablation_refuses_hub_data(tmp_path):
    result = snakemake("-n", "ablation", "--configfile", str(REPO / "config/paper.yaml"), workdir=tmp_path, check=False)
    assert result.returncode != 0
    assert "toy world's injected-noise truth" in result.stdout + result.stderr


def test_report_includes_the_ablation(ablation_run):
    workdir, _ = ablation_run
    report = workdir / "report.html"
    snakemake("--report", str(report), "all", "ablation", "--configfile", SMOKE, workdir=workdir)
    page = report.read_text()
    assert "6. Ablation" in page and "ablation.png" in page and "ablation.html" in page
