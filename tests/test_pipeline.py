"""One real `snakemake` run of the smoke preset, then checks on every stage's outputs."""

import json
import math

import polars as pl
import pytest
import torch
import yaml
from conftest import REPO, jobs_planned, snakemake

from egt.io import read_parquet
from egt.schemas import (
    ENTROPY_BIN_SCHEMA,
    HIDDEN_COLUMNS,
    PAIR_COLUMNS,
    PAIR_ENTROPY_SCHEMA,
    ROLLOUT_SCHEMA,
    SFT_COLUMNS,
)

pytestmark = pytest.mark.pipeline
SMOKE = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
DEFAULT = yaml.safe_load((REPO / "config/config.yaml").read_text())


def cfg(*keys):
    """A smoke-preset value, falling back to the default config it is layered on."""
    for layer in (SMOKE, DEFAULT):
        node = layer
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
        else:
            return node
    raise KeyError(keys)


def test_data_stage(smoke_run):
    data = smoke_run / "results/smoke/data"
    pool = read_parquet(data / "pool.parquet", PAIR_COLUMNS)
    hidden = read_parquet(data / "pool_hidden.parquet", HIDDEN_COLUMNS)
    sft = read_parquet(data / "sft.parquet", SFT_COLUMNS)
    bench = read_parquet(data / "benchmark_toy.parquet", PAIR_COLUMNS)
    assert pool.height == hidden.height == cfg("toy_world", "pool_size")
    assert sft.height == cfg("toy_world", "sft_size") and bench.height == cfg("toy_world", "benchmark_size")
    # the hidden truth is kept out of the public pool file
    assert not set(HIDDEN_COLUMNS) - {"pair_id"} & set(pool.columns)
    assert pool["pair_id"].is_unique().all()


def test_rollouts(smoke_run):
    rollouts = read_parquet(sorted((smoke_run / "results/smoke/rollouts").glob("shard_*.parquet")), ROLLOUT_SCHEMA)
    assert len(list((smoke_run / "results/smoke/rollouts").glob("shard_*.parquet"))) == cfg("rollout", "shards")
    k, n = cfg("rollout", "num_samples"), cfg("toy_world", "pool_size")
    assert rollouts.height == k * n
    assert rollouts.group_by("pair_id").len()["len"].to_list() == [k] * n
    vocab = json.loads((smoke_run / "results/smoke/sft/model/config.json").read_text())["text_config"]["vocab_size"]
    entropy = rollouts["mean_token_entropy"]
    assert entropy.is_finite().all()
    assert entropy.min() >= 0 and entropy.max() <= math.log(vocab) + 1e-4
    assert (rollouts["num_tokens"] >= 1).all() and (rollouts["num_tokens"] <= cfg("rollout", "max_new_tokens")).all()
    parsed = rollouts.filter(pl.col("answer").is_not_null())
    assert parsed["answer"].is_in([1, 2]).all()


def test_entropy_tables(smoke_run):
    pairs = read_parquet(smoke_run / "results/smoke/entropy/pair_entropy.parquet", PAIR_ENTROPY_SCHEMA)
    bins = read_parquet(smoke_run / "results/smoke/entropy/entropy_bins.parquet", ENTROPY_BIN_SCHEMA)
    assert pairs.height == cfg("toy_world", "pool_size")
    assert bins["n"].sum() == pairs.height and bins.height == cfg("entropy", "bins")
    assert (bins["entropy_min"].shift(-1).drop_nulls() >= bins["entropy_max"].head(bins.height - 1)).all()
    assert pairs["accuracy"].is_between(0, 1).all()


def test_curation_keeps_the_configured_quantile(smoke_run):
    kept = read_parquet(smoke_run / "results/smoke/curation/kept.parquet", PAIR_ENTROPY_SCHEMA)
    dropped = read_parquet(smoke_run / "results/smoke/curation/dropped.parquet", PAIR_ENTROPY_SCHEMA)
    n, q = kept.height + dropped.height, cfg("curation", "keep_quantile")
    assert n == cfg("toy_world", "pool_size")
    assert kept.height == math.ceil(q * n)
    assert kept["pair_entropy"].max() <= dropped["pair_entropy"].min()


def test_curriculum_stages_are_ordered_by_entropy(smoke_run):
    stages = pl.read_parquet(smoke_run / "results/smoke/curriculum/stages.parquet")
    kept = pl.read_parquet(smoke_run / "results/smoke/curation/kept.parquet")
    assert sorted(stages["pair_id"]) == sorted(kept["pair_id"])
    ranges = (
        stages.group_by("stage").agg(lo=pl.col("pair_entropy").min(), hi=pl.col("pair_entropy").max()).sort("stage")
    )
    assert ranges.height == cfg("curriculum", "stages")
    assert (ranges["hi"].head(ranges.height - 1) <= ranges["lo"].tail(ranges.height - 1)).all()


def test_checkpoints_load_and_judge(smoke_run):
    from egt.generation.pairs import judge_pairs
    from egt.generation.sampling import Sampling
    from egt.modeling import load_model, load_processor

    bench = pl.read_parquet(smoke_run / "results/smoke/data/benchmark_toy.parquet").head(2)
    for stage in range(1, cfg("curriculum", "stages") + 1):
        path = smoke_run / f"results/smoke/grpo/stage_{stage}/model"
        model, processor = load_model(str(path)), load_processor(str(path))
        assert (path / "model.safetensors").exists()
        judged = judge_pairs(model, processor, bench, Sampling(8), 2, seed=0, template="egt")
        assert judged.height == 2
    # each stage really trained: the weights moved away from the SFT model
    sft = load_model(str(smoke_run / "results/smoke/sft/model")).state_dict()
    final = load_model(str(smoke_run / f"results/smoke/grpo/stage_{cfg('curriculum', 'stages')}/model")).state_dict()
    assert any(not torch.equal(sft[name], final[name]) for name in sft)


def test_summary(smoke_run):
    summary = json.loads((smoke_run / "results/smoke/summary.json").read_text())
    for name, size in (("pool", "pool_size"), ("sft", "sft_size"), ("benchmark_toy", "benchmark_size")):
        data = summary["data"][name]
        assert data["rows_in"] == cfg("toy_world", size) == data["rows_kept"] + data["rows_quarantined"]
    assert len(summary["entropy"]["bins"]) == cfg("entropy", "bins")
    assert set(summary["entropy"]["bins"][0]) >= {"entropy_min", "entropy_max", "n", "accuracy"}
    curation = summary["curation"]
    assert curation["pairs_in"] == cfg("toy_world", "pool_size")
    assert 0 <= curation["noise_rate_in"] <= 1 and 0 <= curation["noise_rate_kept"] <= 1
    assert [s["stage"] for s in summary["curriculum"]["stages"]] == list(range(1, cfg("curriculum", "stages") + 1))
    for model in ("sft", "final"):
        for dataset in ("benchmark_toy", "validation_toy"):
            metrics = summary["evaluation"][model][dataset]
            for key in ("accuracy", "format_rate", "position_consistency"):
                assert 0 <= metrics[key] <= 1
            assert metrics["official"]["scorer"] == "toy" and 0 <= metrics["official"]["accuracy"] <= 1
    # every model beside the ideal observer, on each clean split
    truth = summary["toy_world"]
    for dataset in ("benchmark_toy", "validation_toy"):
        ceiling = truth["ceiling"][dataset]
        assert 0.5 <= ceiling["ideal_accuracy"] <= 1 and set(ceiling["accuracy"]) == {"sft", "final"}
        assert sum(b["pairs"] for b in ceiling["by_ambiguity"]) == cfg("toy_world", dataset.split("_")[0] + "_size")
    assert 0 <= truth["noise"]["auroc_ceiling"] <= 1 and truth["noise"]["kind"] == "symmetric"
    assert (smoke_run / "results/smoke/summary.md").read_text().startswith("# EGT run summary")
    for rule_group in (
        "data",
        "sft",
        "rollout",
        "entropy",
        "curation",
        "curriculum",
        "grpo",
        "evaluation",
        "summary",
    ):
        assert list((smoke_run / "results/smoke/benchmarks" / rule_group).glob("*.tsv")), rule_group
        assert list((smoke_run / "results/smoke/logs" / rule_group).glob("*.log")), rule_group


def test_only_the_summary_reads_the_hidden_columns(smoke_run):
    result = snakemake(
        "--configfile",
        str(REPO / "config/smoke.yaml"),
        "--detailed-summary",
        "--cores",
        "1",
        workdir=smoke_run,
    )
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:] if "\t" in line]
    readers = {row[2] for row in rows if "pool_hidden.parquet" in row[4]}
    assert readers == {"summary"}
    # the clean splits' truth: the summary, and the calibration check of the final model's probability
    readers = {(row[2], "benchmark_toy_hidden" in row[4]) for row in rows if "_hidden.parquet" in row[4]}
    assert {rule for rule, _ in readers} == {"summary", "calibration"} and ("calibration", True) in readers


def test_second_run_does_nothing(smoke_run):
    result = snakemake("-n", "--configfile", str(REPO / "config/smoke.yaml"), workdir=smoke_run)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_changing_keep_quantile_reruns_only_curation_and_after(smoke_run, tmp_path):
    override = tmp_path / "q.yaml"
    override.write_text(yaml.safe_dump({"curation": {"keep_quantile": 0.5}}))
    result = snakemake("-n", "--configfile", str(REPO / "config/smoke.yaml"), str(override), workdir=smoke_run)
    planned = jobs_planned(result.stdout + result.stderr)
    assert {"curate", "curriculum", "grpo_stage", "evaluate", "summary"} <= set(planned)
    assert not {"toy_world", "base_model", "sft", "rollout", "entropy_tables"} & set(planned)
    assert planned["evaluate"] == 2  # the final model on benchmark and validation; the SFT model is unchanged
