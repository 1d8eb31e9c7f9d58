"""Teacher traces against a small local OpenAI-compatible server started by the test."""

import json

import polars as pl
import pytest
import yaml
from conftest import snakemake

from egt.data.local_teacher import LocalTeacher, serve
from egt.data.teacher import ChatClient, distill_traces
from egt.data.toyworld import generate_split

KEY = "sk-test-do-not-log-4242"


@pytest.fixture
def teacher_url():
    server = serve(fail_first=True)
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def candidates() -> pl.DataFrame:
    pairs, _ = generate_split("sft", 6, seed=1, image_size=28, max_ambiguity=0.5, noise=None)
    pairs = pairs.drop("reasoning")
    return pairs.with_columns(
        pl.when(pl.col("pair_id") == pairs["pair_id"][0])
        .then(pl.lit("NEVER answer this?"))
        .otherwise("question")
        .alias("question")
    )


def test_fidelity_filter_retries_and_cache(teacher_url, tmp_path):
    pairs = candidates()
    client = ChatClient(teacher_url, "teacher-model", KEY, backoff_s=0.01)
    kept, dropped = distill_traces(pairs, client, tmp_path / "answers.jsonl", attempts=3, concurrency=3, template="egt")
    assert kept.height + dropped.height == pairs.height
    assert dropped["pair_id"].to_list() == [pairs["pair_id"][0]]
    assert "3 attempts" in dropped["reason"][0]
    for row in kept.iter_rows(named=True):
        assert row["reasoning"].endswith(f"<answer>{row['label']}</answer>")
    label_two = pairs.filter(pl.col("pair_id") != pairs["pair_id"][0])["label"].to_list().count(2)
    answered = len(LocalTeacher.requests) - 1  # one 503, retried
    assert answered == 3 + (pairs.height - 1) + label_two  # NEVER: 3 tries; label 2 needs a second try
    assert all(r["auth"] == f"Bearer {KEY}" for r in LocalTeacher.requests)

    before = len(LocalTeacher.requests)
    again, _ = distill_traces(pairs, client, tmp_path / "answers.jsonl", attempts=3, concurrency=3, template="egt")
    assert len(LocalTeacher.requests) == before  # everything came from the cache
    assert again.equals(kept)
    assert KEY not in (tmp_path / "answers.jsonl").read_text()


@pytest.mark.pipeline
def test_teacher_rule_end_to_end(teacher_url, tmp_path, monkeypatch):
    monkeypatch.setenv("EGT_TEST_TEACHER_KEY", KEY)
    source = tmp_path / "candidates"
    source.mkdir()
    candidates().write_parquet(source / "train.parquet")
    pool, _ = generate_split("pool", 4, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    (tmp_path / "pool").mkdir()
    pool.drop("reasoning").write_parquet(tmp_path / "pool/train.parquet")
    config = {
        "run": "teacher",
        "data": {
            "source": "hub",
            "datasets": {
                "pool": {"path": str(tmp_path / "pool"), "adapter": "egt_pairs"},
                "sft_candidates": {"path": str(source), "adapter": "egt_pairs"},
                "benchmark_toy": {"path": str(tmp_path / "pool"), "adapter": "egt_pairs"},
            },
        },
        "teacher": {
            "enabled": True,
            "base_url": teacher_url,
            "model": "m",
            "api_key_env": "EGT_TEST_TEACHER_KEY",
            "attempts": 2,
            "concurrency": 2,
        },
    }
    override = tmp_path / "teacher.yaml"
    override.write_text(yaml.safe_dump(config))
    run = tmp_path / "run"
    snakemake("results/teacher/data/sft.valid.parquet", "--cores", "1", "--configfile", str(override), workdir=run)
    stats = json.loads((run / "results/teacher/data/sft.teacher.json").read_text())
    assert stats["pairs_in"] == 6 == stats["traces_kept"] + stats["pairs_dropped"] and stats["pairs_dropped"] == 1
    assert pl.read_parquet(run / "results/teacher/data/sft.valid.parquet").height == stats["traces_kept"]
    for path in run.rglob("*"):
        if path.is_file() and path.suffix in {".log", ".json", ".jsonl", ".yaml"}:
            assert KEY not in path.read_text(errors="ignore"), path
