import itertools

import numpy as np
import polars as pl
import pytest

from egt.analysis.ablation.plan import ARMS, Variant, arm_variant, planned_runs, schedule, with_true_labels
from egt.analysis.ablation.rankings import compare_rankings, rankings_markdown
from egt.analysis.ablation.results import (
    paired_bootstrap,
    per_pair_accuracy,
    seeds_and_pairs_bootstrap,
    training_diagnostics,
    verdict,
)
from egt.analysis.ceiling import accuracy_by_ambiguity, ideal_accuracy
from egt.analysis.noise import noise_detection
from egt.analysis.plots import rankings_figure
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
    arms = list(ARMS)
    runs, sweep = planned_runs(arms, 0.7, seeds=[1, 2, 3], extra_seeds=[4, 5], sweep=[0.5, 0.7, 1.0])
    # 8 arms x 3 seeds, and 2 more seeds for baseline, EGT and the oracle
    assert len(runs) == 8 * 3 + 3 * 2 and len(set(runs)) == len(runs)
    assert ("noisy_entropy_low_to_high_q0.70", 5) in runs and ("noisy_entropy_high_to_low_q0.70", 5) not in runs
    # the sweep (first seed) reuses EGT at 0.70 and curriculum-only at 1.00
    assert sweep == [(f"noisy_entropy_low_to_high_q{q}", 1) for q in ("0.50", "0.70", "1.00")]
    assert set(sweep) - set(runs) == {("noisy_entropy_low_to_high_q0.50", 1)}
    assert {arm_variant(arm, 0.7).name for arm in ARMS} == {
        "noisy_entropy_random_q1.00",
        "noisy_entropy_random_q0.70",
        "noisy_entropy_low_to_high_q1.00",
        "noisy_entropy_low_to_high_q0.70",
        "noisy_entropy_high_to_low_q0.70",
        "oracle_entropy_random_q1.00",
        "noisy_random_random_q0.70",
        "noisy_agreement_random_q1.00",
    }
    assert Variant.parse("oracle_entropy_random_q1.00") == Variant("oracle", "entropy", "random", 1.0)
    with pytest.raises(ValueError, match="not an ablation variant"):
        Variant.parse("random_q1.00")


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


def test_schedules_select_then_order():
    pairs = pl.DataFrame(
        {
            "pair_id": [f"p{i:02d}" for i in range(20)],
            "pair_entropy": [float(i) for i in range(20)],
            "label": [1] * 20,
            "majority_answer": [1] * 15 + [2] * 3 + [None] * 2,
        },
        schema_overrides={"label": pl.Int8, "majority_answer": pl.Int8},
    )

    def stage(frame, number):
        return frame.filter(pl.col("stage") == number)["pair_entropy"]

    egt = schedule(pairs, Variant("noisy", "entropy", "low_to_high", 0.5), 2, seed=1)
    assert egt.height == 10 and egt["pair_entropy"].max() == 9.0 and stage(egt, 1).max() < stage(egt, 2).min()
    reverse = schedule(pairs, Variant("noisy", "entropy", "high_to_low", 0.5), 2, seed=1)
    assert stage(reverse, 1).min() > stage(reverse, 2).max()
    random_a = schedule(pairs, Variant("noisy", "entropy", "random", 1.0), 2, seed=1)
    random_b = schedule(pairs, Variant("noisy", "entropy", "random", 1.0), 2, seed=2)
    assert random_a.height == 20 and not random_a.equals(random_b)  # the run's seed shuffles it
    # random drop: as many pairs as curation keeps, not the lowest-entropy ones, other pairs per seed
    dropped = [schedule(pairs, Variant("noisy", "random", "random", 0.5), 2, seed=s) for s in (1, 2)]
    assert [d.height for d in dropped] == [10, 10] and set(dropped[0]["pair_id"]) != set(dropped[1]["pair_id"])
    assert dropped[0]["pair_entropy"].max() > 9.0
    # label-aware: drop the pairs whose rollout majority names the other response
    agreeing = schedule(pairs, Variant("noisy", "agreement", "random", 1.0), 2, seed=1)
    assert agreeing.height == 17 and not {"p15", "p16", "p17"} & set(agreeing["pair_id"])


def test_runs_no_ranking_changes_are_marked_shared():
    """Variant.ranked decides which runs two ablations ranked by different models share: a shared run's
    schedule must be the same under any ranking (and row order) of the pool, a ranked one's must not."""
    ids = [f"p{i:02d}" for i in range(30)]
    rng = np.random.default_rng(0)
    rankings = [
        pl.DataFrame(
            {
                "pair_id": ids,
                "pair_entropy": rng.permutation(30).astype(float),
                "label": [1] * 30,
                "majority_answer": rng.integers(1, 3, 30),
            },
            schema_overrides={"label": pl.Int8, "majority_answer": pl.Int8},
        ).sample(fraction=1.0, shuffle=True, seed=seed)
        for seed in (1, 2)
    ]
    shared = {arm for arm in ARMS if not arm_variant(arm, 0.7).ranked}
    assert shared == {"baseline", "oracle_labels", "random_drop"}
    for arm in ARMS:
        variant = arm_variant(arm, 0.7)
        a, b = (schedule(r, variant, 3, seed=4).select("pair_id", "stage") for r in rankings)
        assert a.equals(b) == (arm in shared), arm


def test_comparison_to_baseline():
    base = {"mean": 0.80, "std": 0.01}
    assert difference_vs({"mean": 0.85, "std": 0.01}, base)["exceeds_spread"] is True
    close = difference_vs({"mean": 0.81, "std": 0.02}, base)
    assert close["exceeds_spread"] is False and close["spread"] == pytest.approx(np.hypot(0.02, 0.01))
    assert difference_vs({"mean": 0.9, "std": None}, base)["exceeds_spread"] is None


def test_training_diagnostics_per_stage():
    acc, first = "rewards/accuracy_reward/mean", "rewards/answers_first/mean"
    histories = [
        [
            {"reward": 1.0, "frac_reward_zero_std": 0.5, acc: 0.4, first: 0.5},
            {"reward": 0.5, "frac_reward_zero_std": 1.0, acc: 0.6, first: 0.7},
            {"train_runtime": 3},
        ],
        [
            {"reward": 1.5, "frac_reward_zero_std": 0.0, acc: 0.8},
            {"reward": 1.0, "frac_reward_zero_std": 0.0, acc: 1.0},
        ],
    ]
    stages = training_diagnostics(histories)
    assert stages[0] == {
        "frac_reward_zero_std": 0.75,
        "accuracy_reward_first_half": 0.4,
        "accuracy_reward_second_half": 0.6,
        "answers_first": pytest.approx(0.6),
    }
    assert stages[1]["accuracy_reward_second_half"] == 1.0 and stages[1]["answers_first"] is None


def test_paired_bootstrap_keeps_the_pairing():
    rng = np.random.default_rng(0)
    base = rng.random(400)
    better = np.clip(base + 0.05, 0, 1)  # the same pairs, each a little better
    interval = paired_bootstrap({"a": better, "b": base}, lambda m: m["a"] - m["b"], 500, seed=0)
    assert 0 < interval[0] <= (better - base).mean() <= interval[1] < 0.06
    # unpaired noise of the same size would give a far wider interval than the paired one
    shuffled = paired_bootstrap({"a": rng.permutation(better), "b": base}, lambda m: m["a"] - m["b"], 500, seed=0)
    assert shuffled[1] - shuffled[0] > 5 * (interval[1] - interval[0])


def test_per_pair_accuracy_pools_orders():
    judgments = pl.DataFrame({"pair_id": ["a", "a", "b", "b"], "correct": [True, False, True, True]})
    assert per_pair_accuracy(judgments, ["b", "a"]).tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="no judgment"):
        per_pair_accuracy(judgments, ["a", "c"])


def test_verdict_needs_gains_beyond_the_seed_spread():
    def arm(mean, std, vs_sft=None, vs_base=None, rises=(0.1, 0.1)):
        stages = [{"accuracy_reward_first_half": 0.5, "accuracy_reward_second_half": 0.5 + r} for r in rises]
        return {"mean": mean, "std": std, "vs_sft": vs_sft, "vs_baseline": vs_base, "by_stage": stages}

    oracle = arm(0.75, 0.01, {"difference": 0.05, "ci95": [0.02, 0.08]}, {"difference": 0.06, "spread": 0.015})
    table = {"baseline": arm(0.69, 0.01), "oracle_labels": oracle}
    assert verdict(table)["grpo_learns_with_clean_labels"]["holds"] is True
    assert verdict(table)["noise_hurts"]["holds"] is True
    oracle["by_stage"][1]["accuracy_reward_second_half"] = 0.52  # one stage does not raise its reward
    assert verdict(table)["grpo_learns_with_clean_labels"]["holds"] is False
    oracle["vs_baseline"] = {"difference": 0.03, "spread": 0.015}  # within 3 seed spreads
    assert verdict(table)["noise_hurts"]["holds"] is False


def test_markdown_tables_become_html():
    page = markdown_html("t", "# Title\n\ntext <b>\n\n| a | b |\n| --- | ---: |\n| 1 | 2 |\n")
    assert "<h2>Title</h2>" in page and "<p>text &lt;b&gt;</p>" in page
    assert "<tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr>" in page


def test_accuracy_by_ambiguity_bands_beside_the_ideal_observer():
    hidden = pl.DataFrame(
        {
            "pair_id": [f"p{i}" for i in range(6)],
            "ambiguity": [0.0, 0.1, 0.2, 0.3, 0.4, 0.45],
            "true_label": [1, 2, 1, 2, 1, 2],
            # the ideal observer is sure and right on the clear half, wrong on p3 and unsure on p4
            "ideal_p1": [0.99, 0.01, 0.9, 0.8, 0.5, 0.4],
        }
    )
    # each pair judged in both orders; the three clearest right both times, the others once
    judgments = pl.DataFrame(
        {"pair_id": [f"p{i}" for i in range(6) for _ in range(2)], "correct": [True, True] * 3 + [True, False] * 3}
    )
    bands = accuracy_by_ambiguity(judgments, hidden, bands=2)
    assert [b["pairs"] for b in bands] == [3, 3]
    assert [b["accuracy"] for b in bands] == [1.0, 0.5]
    assert [b["ideal_accuracy"] for b in bands] == [1.0, pytest.approx(0.5)]  # p3 wrong, p4 a tie, p5 right
    assert (bands[0]["ambiguity_min"], bands[1]["ambiguity_max"]) == (0.0, 0.45)
    assert ideal_accuracy(hidden) == pytest.approx(4.5 / 6)


def test_two_rankings_side_by_side(tmp_path):
    """The same arms under two rankings: shared runs once, ranked arms with a paired difference."""
    rng = np.random.default_rng(3)
    ids = [f"b{i:03d}" for i in range(200)]

    def judged(p_correct):
        return pl.DataFrame({"pair_id": ids * 2, "correct": (rng.random(400) < p_correct).tolist()})

    def table(egt_mean):
        arm = {
            "std": 0.01,
            "accuracy_by_seed": {"1": 0.6, "2": 0.62},
            "pairs_trained_on": 70,
            "vs_baseline": {"difference": egt_mean - 0.6, "ci95": [-0.01, 0.05]},
            "gap_recovered": None,
        }
        return {
            "split": "benchmark_toy",
            "seeds": [1, 2],
            "extra_seeds": [],
            "keep_quantile": 0.7,
            "sft": {"accuracy": 0.58},
            "ceiling": {"ideal_accuracy": 0.87},
            "noise_detection": {
                "auroc": 0.54 if egt_mean < 0.65 else 0.6,
                "auroc_ceiling": 0.77,
                "noise_rate_before": 0.27,
                "noise_rate_after": 0.25,
            },
            "entropy_vs_accuracy": {"spearman_accuracy": {"rho": -0.2}},
            "arms": {
                "baseline": {**arm, "mean": 0.6, "vs_baseline": None},
                "egt": {**arm, "mean": egt_mean},
                "oracle_labels": {**arm, "mean": 0.7},
            },
        }

    tables = {"sft": table(0.6), "scorer": table(0.7)}
    judgments = {"sft": {"egt": [judged(0.55), judged(0.55)]}, "scorer": {"egt": [judged(0.75), judged(0.75)]}}
    result = compare_rankings(tables, judgments, resamples=300, seed=0)
    egt, baseline = result["arms"]["egt"], result["arms"]["baseline"]
    assert baseline["ranked"] is False and baseline["scorer_minus_sft"] is None
    difference = egt["scorer_minus_sft"]
    low, high = difference["ci95"]
    assert 0.1 < low < difference["difference"] < high  # 0.75 vs 0.55 on 200 pairs x 2 seeds x 2 orders
    low, high = difference["ci95_seeds_and_pairs"]
    assert 0.05 < low < difference["difference"] < high  # two seeds a side: wider, still above zero
    assert egt["sft"]["mean"] == 0.6 and egt["scorer"]["mean"] == 0.7
    page = rankings_markdown(result, "t1024_s1200")
    assert "| baseline | 0.600 ± 0.010 |" in page and "same runs |" in page
    assert "| pair-entropy AUROC for the noisy pairs (ceiling 0.770) | 0.540 | 0.600 |" in page
    rankings_figure(result, tmp_path / "side_by_side.png")
    assert (tmp_path / "side_by_side.png").read_bytes()[:4] == b"\x89PNG"
    # the two must train the same arms and seeds from the same SFT model
    with pytest.raises(ValueError, match="same arms with the same seeds"):
        compare_rankings({**tables, "scorer": {**tables["scorer"], "seeds": [1, 2, 3]}}, judgments, 10, 0)
    with pytest.raises(ValueError, match="different SFT models"):
        compare_rankings({**tables, "scorer": {**tables["scorer"], "sft": {"accuracy": 0.6}}}, judgments, 10, 0)


def test_seed_noise_widens_the_interval():
    """Runs that differ only in their seed: a pairs-only interval ignores their spread, the two-level one not."""
    rng = np.random.default_rng(5)
    pairs = 256
    baseline = (rng.random((3, pairs)) < 0.6).astype(float)
    # three seeds that end 0.52, 0.60 and 0.68 on the same kind of pairs
    arm = np.array([(rng.random(pairs) < p).astype(float) for p in (0.52, 0.60, 0.68)])

    def diff(m):
        return m["arm"] - m["baseline"]

    pairs_only = paired_bootstrap({"arm": arm.mean(axis=0), "baseline": baseline.mean(axis=0)}, diff, 500, 0)
    both = seeds_and_pairs_bootstrap({"arm": arm, "baseline": baseline}, diff, 500, 0)
    assert both[0] < pairs_only[0] and both[1] > pairs_only[1]
    assert both[1] - both[0] > 1.5 * (pairs_only[1] - pairs_only[0])
    # with identical seeds the seed resampling adds nothing: the same width as pairs only, within noise
    same = np.repeat(arm[1:2], 3, axis=0)
    both_same = seeds_and_pairs_bootstrap({"arm": same, "baseline": baseline[:1].repeat(3, axis=0)}, diff, 500, 0)
    pairs_same = paired_bootstrap({"arm": same[0], "baseline": baseline[0]}, diff, 500, 0)
    assert abs((both_same[1] - both_same[0]) - (pairs_same[1] - pairs_same[0])) < 0.02
