import polars as pl
import pytest

from egt.evaluation.run import score_judgments
from egt.judging import Judging


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
    from egt.data.toyworld import generate_split
    from egt.evaluation.run import evaluate_model

    bench, _ = generate_split("benchmark", 6, seed=0, image_size=56, max_ambiguity=0.5, noise=None)
    bench = bench.with_columns(
        category=pl.Series(["a", "a", "b", "b", "b", "b"]), group=pl.Series(["g1", "g1", "g2", "g3", "g3", "g4"])
    )
    params = {"max_new_tokens": 6, "batch_size": 6}
    _, metrics = evaluate_model(str(tiny_model_dir), bench, params, seed=0, device="cpu", judging=Judging("egt"))
    assert set(metrics["categories"]) == {"a", "b"}
    assert 0 <= metrics["acc_plus"] <= 1 and 0 <= metrics["macro_accuracy"] <= 1
    _, plain = evaluate_model(
        str(tiny_model_dir), bench.drop("category", "group"), params, seed=0, device="cpu", judging=Judging("egt")
    )
    assert "categories" not in plain and plain["accuracy"] == metrics["accuracy"]


def test_killed_evaluation_continues_from_judged_items(tiny_model_dir, tmp_path, monkeypatch):
    import egt.generation.pairs as generation
    from egt.data.toyworld import generate_split
    from egt.evaluation.run import evaluate_model

    bench, _ = generate_split("benchmark", 8, seed=0, image_size=56, max_ambiguity=0.5, noise=None)
    params = {"max_new_tokens": 6, "batch_size": 2}
    fresh, fresh_metrics = evaluate_model(
        str(tiny_model_dir), bench, params, seed=0, device="cpu", judging=Judging("egt")
    )

    real_judge_batch, calls = generation.judge_batch, []

    def dies_after_two_batches(model, processor, batch, *args):
        calls.append(len(batch))
        if len(calls) > 2:
            raise KeyboardInterrupt("killed")
        return real_judge_batch(model, processor, batch, *args)

    monkeypatch.setattr(generation, "judge_batch", dies_after_two_batches)
    cache = tmp_path / "eval_cache"
    try:
        evaluate_model(
            str(tiny_model_dir), bench, params, seed=0, device="cpu", judging=Judging("egt"), cache_dir=cache
        )
    except KeyboardInterrupt:
        pass
    assert len((cache / "original.jsonl").read_text().splitlines()) == 4  # two batches of two pairs
    calls.clear()
    monkeypatch.setattr(generation, "judge_batch", lambda *a: (calls.append(len(a[2])), real_judge_batch(*a))[1])
    resumed, metrics = evaluate_model(
        str(tiny_model_dir), bench, params, seed=0, device="cpu", judging=Judging("egt"), cache_dir=cache
    )
    assert sum(calls) == (8 - 4) + 8  # only the unjudged pairs of the first order, then the whole second order
    assert resumed.equals(fresh) and metrics == fresh_metrics
