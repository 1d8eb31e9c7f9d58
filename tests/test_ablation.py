import itertools

import numpy as np
import polars as pl
import pytest

from egt.analysis.ablation.plan import (
    ARMS,
    arm_variant,
    is_oracle,
    parse_variant,
    planned_runs,
    schedule,
    with_true_labels,
)
from egt.analysis.ablation.results import accuracy_by_ambiguity, training_diagnostics
from egt.analysis.noise import noise_detection
from egt.analysis.report_tables import markdown_html
from egt.analysis.stats import auroc, bootstrap_spearman, difference_vs, spearman_rho


def test_auroc_matches_counting_every_positive_negative_pair():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 6, 80).astype(float)  # many ties
    positives = rng.random(80) < 0.3
    wins = [
        1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(scores[positives], scores[~positives])
    ]
    assert auroc(scores, positives) == pytest.approx(np.mean(wins))
    assert auroc(np.arange(4.0), np.array([False, False, True, True])) == 1.0
    assert auroc(np.arange(4.0), np.array([True, True, False, False])) == 0.0
    assert auroc(np.arange(4.0), np.zeros(4, dtype=bool)) is None


def test_spearman_and_its_bootstrap_interval():
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    y = -x + rng.normal(scale=1.0, size=300)
    result = bootstrap_spearman(x, y, resamples=300, seed=0)
    low, high = result["ci95"]
    assert low < result["rho"] < high < 0
    # agrees with polars' Spearman (average ranks)
    frame = pl.DataFrame({"x": x, "y": y})
    assert result["rho"] == pytest.approx(frame.select(pl.corr("x", "y", method="spearman")).item())
    assert spearman_rho(np.ones(5), np.arange(5.0)) is None
    # a wider sample gives a narrower interval
    wide = bootstrap_spearman(x[:30], y[:30], resamples=300, seed=0)["ci95"]
    assert wide[1] - wide[0] > high - low


def test_noise_detection_counts():
    pairs = pl.DataFrame(
        {
            "pair_id": [f"p{i}" for i in range(10)],
            "pair_entropy": [float(i) for i in range(10)],
        }
    )
    # the 3 highest-entropy pairs hold 2 of the 3 noisy ones
    hidden = pairs.select("pair_id", is_noisy=pl.Series([True] + [False] * 6 + [True, False, True]))
    result = noise_detection(pairs, hidden, 0.7)
    assert (result["pairs_kept"], result["pairs_dropped"]) == (7, 3)
    assert result["precision_dropped"] == pytest.approx(2 / 3)
    assert result["recall_dropped"] == pytest.approx(2 / 3)
    assert result["noise_rate_before"] == pytest.approx(0.3)
    assert result["noise_rate_after"] == pytest.approx(1 / 7)
    assert noise_detection(pairs, hidden, 1.0)["precision_dropped"] is None


def test_arms_and_sweep_share_runs():
    runs = planned_runs(0.7, seeds=[1, 2, 3], sweep=[0.5, 0.7, 1.0], sweep_seeds=1)
    # 6 arms x 3 seeds; the sweep adds only q=0.5 (0.7 is EGT, 1.0 is curriculum-only)
    assert len(runs) == 19 and len(set(runs)) == 19
    assert ("low_to_high_q0.50", 1) in runs and ("low_to_high_q0.50", 2) not in runs
    assert {arm_variant(arm, 0.7) for arm in ARMS} == {
        "random_q1.00",
        "random_q0.70",
        "low_to_high_q1.00",
        "low_to_high_q0.70",
        "high_to_low_q0.70",
        "oracle_random_q1.00",
    }
    assert parse_variant("high_to_low_q0.70") == ("high_to_low", 0.7)
    assert parse_variant("oracle_random_q1.00") == ("random", 1.0)
    assert is_oracle("oracle_random_q1.00") and not is_oracle("random_q1.00")


def test_oracle_pool_restores_true_labels():
    pool = pl.DataFrame(
        {"pair_id": ["a", "b", "c"], "label": [1, 1, 2]}, schema={"pair_id": pl.String, "label": pl.Int8}
    )
    hidden = pl.DataFrame(
        {"pair_id": ["c", "b", "a"], "true_label": [2, 2, 1]}, schema={"pair_id": pl.String, "true_label": pl.Int8}
    )
    relabelled = with_true_labels(pool, hidden)
    assert relabelled["label"].to_list() == [1, 2, 2] and relabelled.schema == pool.schema
    with pytest.raises(ValueError, match="no true label"):
        with_true_labels(pool, hidden.head(2))


def test_schedules_curate_then_order():
    pairs = pl.DataFrame({"pair_id": [f"p{i:02d}" for i in range(20)], "pair_entropy": [float(i) for i in range(20)]})
    egt = schedule(pairs, 0.5, "low_to_high", 2, seed=1)
    assert egt.height == 10 and egt["pair_entropy"].max() == 9.0
    assert (
        egt.filter(pl.col("stage") == 1)["pair_entropy"].max() < egt.filter(pl.col("stage") == 2)["pair_entropy"].min()
    )
    reverse = schedule(pairs, 0.5, "high_to_low", 2, seed=1)
    assert (
        reverse.filter(pl.col("stage") == 1)["pair_entropy"].min()
        > reverse.filter(pl.col("stage") == 2)["pair_entropy"].max()
    )
    random_a = schedule(pairs, 1.0, "random", 2, seed=1)
    random_b = schedule(pairs, 1.0, "random", 2, seed=2)
    assert random_a.height == 20 and not random_a.equals(random_b)  # the arm's seed shuffles it


def test_comparison_to_baseline():
    base = {"mean": 0.80, "std": 0.01}
    assert difference_vs({"mean": 0.85, "std": 0.01}, base)["exceeds_spread"] is True
    close = difference_vs({"mean": 0.81, "std": 0.02}, base)
    assert close["exceeds_spread"] is False and close["spread"] == pytest.approx(np.hypot(0.02, 0.01))
    assert difference_vs({"mean": 0.9, "std": None}, base)["exceeds_spread"] is None


def test_training_diagnostics_average_logged_steps():
    acc = "rewards/accuracy_reward/mean"
    histories = [
        [
            {"reward": 1.0, "frac_reward_zero_std": 0.5, acc: 0.4},
            {"reward": 0.5, "frac_reward_zero_std": 1.0, acc: 0.6},
            {"train_runtime": 3},
        ],
        [
            {"reward": 1.5, "frac_reward_zero_std": 0.0, acc: 0.8},
            {"reward": 1.0, "frac_reward_zero_std": 0.0, acc: 1.0},
        ],
    ]
    diagnostics = training_diagnostics(histories)
    assert diagnostics["reward"] == pytest.approx(1.0)
    assert diagnostics["frac_reward_zero_std"] == pytest.approx(0.375)
    assert diagnostics["frac_reward_zero_std_by_stage"] == [pytest.approx(0.75), pytest.approx(0.0)]
    assert diagnostics["accuracy_reward_first_half"] == pytest.approx(0.6)  # steps 1 of each stage
    assert diagnostics["accuracy_reward_second_half"] == pytest.approx(0.8)


def test_markdown_tables_become_html():
    page = markdown_html("t", "# Title\n\ntext <b>\n\n| a | b |\n| --- | ---: |\n| 1 | 2 |\n")
    assert "<h2>Title</h2>" in page and "<p>text &lt;b&gt;</p>" in page
    assert "<tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr>" in page


def test_accuracy_by_ambiguity_bands():
    hidden = pl.DataFrame({"pair_id": [f"p{i}" for i in range(6)], "ambiguity": [0.0, 0.1, 0.2, 0.3, 0.4, 0.45]})
    # each pair judged in both orders; the three clearest right both times, the others once
    judgments = pl.DataFrame(
        {
            "pair_id": [f"p{i}" for i in range(6) for _ in range(2)],
            "correct": [True, True] * 3 + [True, False] * 3,
        }
    )
    bands = accuracy_by_ambiguity(judgments, hidden, bands=2)
    assert [b["pairs"] for b in bands] == [3, 3]
    assert [b["accuracy"] for b in bands] == [1.0, 0.5]
    assert (bands[0]["ambiguity_min"], bands[1]["ambiguity_max"]) == (0.0, 0.45)
