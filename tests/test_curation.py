import polars as pl
import pytest

from egt.curation.curriculum import split_stages, stage_summary
from egt.curation.quantile import quantile_cut


def pairs(entropies):
    return pl.DataFrame({"pair_id": [f"p{i:03d}" for i in range(len(entropies))], "pair_entropy": entropies})


@pytest.mark.parametrize("q, kept", [(0.7, 7), (0.5, 5), (1.0, 10), (0.05, 1), (0.71, 8)])
def test_quantile_cut_keeps_the_lowest_entropy_share(q, kept):
    frame = pairs([0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 1.0])
    cut = quantile_cut(frame, q)
    assert cut.kept.height == kept
    assert cut.kept.height + cut.dropped.height == frame.height
    assert cut.kept["pair_entropy"].max() <= cut.dropped["pair_entropy"].min() if cut.dropped.height else True
    assert cut.threshold == cut.kept["pair_entropy"].max()


def test_quantile_cut_breaks_ties_by_pair_id():
    cut = quantile_cut(pairs([0.5, 0.5, 0.5, 0.5]), 0.5)
    assert cut.kept["pair_id"].to_list() == ["p000", "p001"]


def test_quantile_cut_rejects_out_of_range():
    with pytest.raises(ValueError, match="keep_quantile"):
        quantile_cut(pairs([0.1]), 1.5)


def test_low_to_high_stages_are_ordered_by_entropy():
    frame = pairs([float(x) for x in [9, 3, 7, 1, 5, 8, 2, 6, 4, 0]])
    stages = split_stages(frame, 3, "low_to_high", seed=0)
    summary = stage_summary(stages)
    assert summary["pairs"].to_list() == [4, 3, 3]
    assert summary["entropy_max"][0] < summary["entropy_min"][1]
    assert summary["entropy_max"][1] < summary["entropy_min"][2]


def test_high_to_low_reverses_the_order():
    frame = pairs([float(x) for x in range(9)])
    summary = stage_summary(split_stages(frame, 3, "high_to_low", seed=0))
    assert summary["entropy_min"].to_list() == [6.0, 3.0, 0.0]


def test_random_order_is_seeded_and_keeps_every_pair():
    frame = pairs([float(x) for x in range(30)])
    a = split_stages(frame, 3, "random", seed=1)
    b = split_stages(frame, 3, "random", seed=1)
    c = split_stages(frame, 3, "random", seed=2)
    assert a.equals(b) and not a.equals(c)
    assert sorted(a["pair_id"].to_list()) == sorted(frame["pair_id"].to_list())
    # a shuffle, not an entropy sort
    assert a.filter(pl.col("stage") == 1)["pair_entropy"].max() > 10


def test_unknown_order_is_refused():
    with pytest.raises(ValueError, match="order"):
        split_stages(pairs([0.1]), 1, "sideways", seed=0)
