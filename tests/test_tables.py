import math

import polars as pl
import pytest

from egt.analysis.stats import spearman_rho
from egt.curation.pair_entropy import entropy_bins, pair_entropy_table
from egt.schemas import ROLLOUT_SCHEMA


def rollouts(rows):
    return pl.DataFrame(
        [
            {
                "pair_id": p,
                "sample": s,
                "text": "",
                "answer": a,
                "format_ok": f,
                "num_tokens": 3,
                "mean_token_entropy": h,
            }
            for p, s, a, f, h in rows
        ],
        schema=ROLLOUT_SCHEMA,
    ).lazy()


def test_pair_entropy_table_aggregates_samples():
    labels = pl.DataFrame({"pair_id": ["a", "b"], "label": [1, 2]}, schema={"pair_id": pl.String, "label": pl.Int8})
    table = pair_entropy_table(
        rollouts(
            [
                ("a", 0, 1, True, 0.2),
                ("a", 1, 1, True, 0.4),
                ("a", 2, 2, False, 0.6),
                ("b", 0, None, False, 1.0),
                ("b", 1, 1, True, 2.0),
            ]
        ),
        labels.lazy(),
    ).collect()
    a, b = table.row(0, named=True), table.row(1, named=True)
    assert a["num_samples"] == 3 and a["pair_entropy"] == pytest.approx(0.4)
    assert a["entropy_std"] == pytest.approx(math.sqrt(((0.2 - 0.4) ** 2 + (0.6 - 0.4) ** 2) / 3), rel=1e-5)
    assert a["majority_answer"] == 1 and a["accuracy"] == pytest.approx(2 / 3)
    assert a["format_rate"] == pytest.approx(2 / 3)
    # an unparseable sample counts as wrong, never dropped from the denominator
    assert b["accuracy"] == 0.0 and b["majority_answer"] == 1 and b["num_samples"] == 2


def test_entropy_bins_have_equal_counts_and_ordered_ranges():
    pairs = pl.DataFrame(
        {
            "pair_id": [f"p{i:02d}" for i in range(25)],
            "pair_entropy": [float(i) for i in range(25)],
            "accuracy": [1.0] * 10 + [0.0] * 15,
        }
    )
    bins = entropy_bins(pairs, 5)
    assert bins["n"].to_list() == [5] * 5
    assert bins["entropy_min"].to_list() == [0.0, 5.0, 10.0, 15.0, 20.0]
    assert bins["accuracy"].to_list() == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_spearman_sign_and_undefined_case():
    pairs = pl.DataFrame({"pair_entropy": [0.1, 0.2, 0.3, 0.4], "accuracy": [1.0, 0.75, 0.5, 0.0]})
    assert spearman_rho(pairs["pair_entropy"], pairs["accuracy"]) == pytest.approx(-1.0)
    assert spearman_rho(pairs["pair_entropy"], [1.0] * pairs.height) is None
