"""Curation signals by name: the registry, each signal's arithmetic, curation and the curriculum by signal."""

import math

import numpy as np
import polars as pl
import pytest
import torch
import yaml
from conftest import REPO

from egt.analysis.noise import signal_aurocs
from egt.config import ConfigError, check_config, load_config, merge
from egt.curation.curriculum import split_stages, stage_summary
from egt.curation.pair_entropy import pair_entropy_table
from egt.curation.quantile import quantile_cut
from egt.curation.signals import SIGNALS, Signal, register, signal
from egt.generation.entropy import token_at_char, top_share_mean
from egt.judging import answer_char
from egt.schemas import ROLLOUT_SCHEMA, pair_entropy_schema

LABELS = pl.DataFrame({"pair_id": ["a", "b"], "label": [1, 2]}, schema={"pair_id": pl.String, "label": pl.Int8})


def rollouts(rows):
    keys = ("pair_id", "sample", "answer", "mean_token_entropy", "answer_token_entropy", "forking_token_entropy")
    base = {"text": "", "format_ok": True, "num_tokens": 3}
    return pl.DataFrame([{**base, **dict(zip(keys, row, strict=True))} for row in rows], schema=ROLLOUT_SCHEMA).lazy()


def table():
    return pair_entropy_table(
        rollouts(
            [
                ("a", 0, 1, 0.2, 0.1, 1.0),
                ("a", 1, 1, 0.4, 0.3, 2.0),
                ("a", 2, 2, 0.6, None, 3.0),
                ("b", 0, None, 1.0, None, 4.0),
                ("b", 1, None, 2.0, None, 6.0),
            ]
        ),
        LABELS.lazy(),
    ).collect()


def test_every_registered_signal_is_a_column_of_the_pair_table_with_its_arithmetic():
    pairs = table()
    assert list(pairs.columns) == list(pair_entropy_schema()) and set(SIGNALS) <= set(pairs.columns)
    a, b = pairs.row(0, named=True), pairs.row(1, named=True)
    assert a["pair_entropy"] == pytest.approx(0.4) and a["forking_token_entropy"] == pytest.approx(2.0)
    assert a["answer_token_entropy"] == pytest.approx(0.2)  # the sample without one is left out
    # answers 1, 1, 2: -(2/3 ln 2/3 + 1/3 ln 1/3); none unparseable
    assert a["sampled_answer_entropy"] == pytest.approx(-(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)))
    assert a["label_disagreement"] == pytest.approx(1 / 3)  # label 1, one sample says 2
    # b: no answer parsed: no answer-token entropy, all mass on "unparseable" (entropy 0), every sample disagrees
    assert b["answer_token_entropy"] is None and b["sampled_answer_entropy"] == 0.0 and b["label_disagreement"] == 1.0


def test_the_registry_is_the_only_list_of_signals_the_config_accepts():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    listed = schema["properties"]["curation"]["properties"]["signal"]
    assert "enum" not in listed and listed["default"] == "pair_entropy" == next(iter(SIGNALS))
    register(Signal("later_signal", "a test's", "pair", pl.lit(0.0)))
    try:
        check_config(merge(load_config(), {"curation": {"signal": "later_signal"}}))  # accepted once registered
    finally:
        del SIGNALS["later_signal"]
    with pytest.raises(ConfigError, match="'later_signal' is not a registered signal"):
        check_config(merge(load_config(), {"curation": {"signal": "later_signal"}}))


def test_an_unknown_signal_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown curation signal 'vibes'.*pair_entropy"):
        signal("vibes")
    with pytest.raises(ValueError, match="over must be"):
        register(Signal("bad", "", "tokens", pl.lit(0.0)))


def test_a_signal_registered_later_becomes_a_column_and_a_curation_key():
    register(Signal("num_samples_inverse", "test only", "pair", 1.0 / pl.col("num_samples")))
    try:
        pairs = table()
        assert pairs["num_samples_inverse"].to_list() == pytest.approx([1 / 3, 1 / 2])
        assert quantile_cut(pairs, 0.5, "num_samples_inverse").kept["pair_id"].to_list() == ["a"]
    finally:
        del SIGNALS["num_samples_inverse"]


def test_curation_and_curriculum_rank_by_the_chosen_signal_with_missing_values_most_suspect():
    pairs = pl.DataFrame(
        {
            "pair_id": ["p1", "p2", "p3", "p4"],
            "pair_entropy": [0.4, 0.3, 0.2, 0.1],
            "answer_token_entropy": [0.1, None, 0.3, 0.2],
        }
    )
    assert quantile_cut(pairs, 0.5).kept["pair_id"].to_list() == ["p4", "p3"]
    cut = quantile_cut(pairs, 0.75, "answer_token_entropy")
    assert cut.kept["pair_id"].to_list() == ["p1", "p4", "p3"] and cut.dropped["pair_id"].to_list() == ["p2"]
    assert cut.threshold == pytest.approx(0.3)
    assert quantile_cut(pairs, 1.0, "answer_token_entropy").threshold is None  # the last kept pair has none
    stages = split_stages(pairs, 2, "low_to_high", seed=0, by="answer_token_entropy")
    assert stages.filter(pl.col("stage") == 2)["pair_id"].to_list() == ["p3", "p2"]
    reverse = split_stages(pairs, 2, "high_to_low", seed=0, by="answer_token_entropy")
    assert reverse.filter(pl.col("stage") == 1)["pair_id"].to_list() == ["p2", "p3"]
    assert stage_summary(stages, "answer_token_entropy")["entropy_max"].to_list() == [0.2, 0.3]


def test_signal_aurocs_rank_missing_values_as_most_suspect():
    pairs = pl.DataFrame(
        {
            "pair_id": ["a", "b", "c", "d"],
            "pair_entropy": [0.1, 0.2, 0.3, 0.4],
            "answer_token_entropy": [None, 0.2, 0.3, 0.1],
        }
    )
    hidden = pl.DataFrame({"pair_id": ["a", "b", "c", "d"], "is_noisy": [True, False, False, True]})
    rows = {r["signal"]: r for r in signal_aurocs(pairs, hidden)}
    assert set(rows) == {"pair_entropy", "answer_token_entropy"}  # only the columns present
    assert rows["pair_entropy"]["auroc"] == pytest.approx(0.5)
    # a (missing -> +inf) outranks both clean pairs, d (0.1) neither: 2 of 4 positive-negative pairs
    assert rows["answer_token_entropy"]["auroc"] == pytest.approx(0.5) and rows["answer_token_entropy"]["missing"] == 1
    assert signal_aurocs(pairs.with_columns(pl.lit(None, pl.Float64).alias("pair_entropy")), hidden)[0]["auroc"] == 0.5
    assert "ci95" not in rows["pair_entropy"]  # intervals only when asked (the run summary asks for none)


def test_signal_auroc_intervals_bootstrap_the_pairs():
    rng = np.random.default_rng(0)
    noisy = rng.random(400) < 0.25
    pairs = pl.DataFrame({"pair_id": [f"p{i}" for i in range(400)], "pair_entropy": rng.normal(noisy * 0.5, 1.0)})
    hidden = pl.DataFrame({"pair_id": pairs["pair_id"], "is_noisy": noisy})
    (row,) = signal_aurocs(pairs, hidden, resamples=300, seed=1)
    low, high = row["ci95"]
    assert low < row["auroc"] < high and 0.05 < high - low < 0.2  # about ±2 standard errors at n = 400
    separable = pairs.with_columns(pl.Series("pair_entropy", noisy.astype(float)))
    assert signal_aurocs(separable, hidden, resamples=50, seed=1)[0]["ci95"] == [1.0, 1.0]


def test_forking_entropy_is_the_mean_of_the_top_share_of_real_tokens():
    values = torch.tensor([[0.1, 0.9, 0.5, 0.3, 0.7, 9.0], [2.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0] * 6])
    mask = torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 0, 0, 0, 0], [0] * 6], dtype=torch.bool)
    top = top_share_mean(values, mask, 0.4)
    # five tokens: ceil(2.0) = 2 highest of the real ones (0.9, 0.7; the padded 9.0 never counts); two: ceil(0.8) = 1
    assert top[0].item() == pytest.approx(0.8) and top[1].item() == pytest.approx(2.0) and math.isnan(top[2].item())


def test_the_answer_digit_is_found_and_mapped_to_its_token():
    text = "<think>1 or 2? 2 is right</think><answer>2</answer>"
    assert text[answer_char(text)] == "2" and answer_char(text) == text.index("<answer>") + len("<answer>")
    assert answer_char("<answer>1</answer><answer>2</answer>") is None  # conflicting blocks: no answer
    assert answer_char("no answer") is None
    pieces = ["<think>", "1 or", " 2", "</think>", "<answer>", "2", "</answer>"]
    assert token_at_char(pieces, answer_char("".join(pieces))) == 5
    assert token_at_char(pieces, 10_000) is None
