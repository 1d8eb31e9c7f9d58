import polars as pl
import pytest

from egt.evaluate import score_judgments


def test_scores_both_orders_and_position_consistency():
    labels = pl.DataFrame(
        {"pair_id": ["a", "b", "c"], "label": [1, 2, 1]}, schema={"pair_id": pl.String, "label": pl.Int8}
    )
    judgments = pl.DataFrame(
        {
            "pair_id": ["a", "a", "b", "b", "c", "c"],
            "order": ["original", "swapped"] * 3,
            "text": [""] * 6,
            # a: right both times; b: always says "first" (position bias); c: unparseable once
            "answer": [1, 2, 1, 1, 1, None],
            "format_ok": [True, True, True, True, True, False],
        },
        schema_overrides={"answer": pl.Int8},
    )
    scored, m = score_judgments(judgments, labels)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["accuracy_original"] == pytest.approx(2 / 3)
    assert m["accuracy_swapped"] == pytest.approx(2 / 3)
    assert m["accuracy_both_orders"] == pytest.approx(1 / 3)
    assert m["position_consistency"] == pytest.approx(1 / 3)
    assert m["unparseable_rate"] == pytest.approx(1 / 6)
    assert m["format_rate"] == pytest.approx(5 / 6)
    assert scored.filter(pl.col("pair_id") == "b")["preferred"].to_list() == [1, 2]


def test_category_metrics_are_added_for_real_benchmarks(tiny_model_dir):
    from egt.evaluate import evaluate_model
    from egt.toyworld import generate_split

    bench, _ = generate_split("benchmark", 6, seed=0, image_size=56, max_ambiguity=0.5, noise=None)
    bench = bench.with_columns(
        category=pl.Series(["a", "a", "b", "b", "b", "b"]), group=pl.Series(["g1", "g1", "g2", "g3", "g3", "g4"])
    )
    params = {"max_new_tokens": 6, "batch_size": 6}
    _, metrics = evaluate_model(str(tiny_model_dir), bench, params, seed=0, device="cpu")
    assert set(metrics["categories"]) == {"a", "b"}
    assert 0 <= metrics["acc_plus"] <= 1 and 0 <= metrics["macro_accuracy"] <= 1
    _, plain = evaluate_model(str(tiny_model_dir), bench.drop("category", "group"), params, seed=0, device="cpu")
    assert "categories" not in plain and plain["accuracy"] == metrics["accuracy"]
