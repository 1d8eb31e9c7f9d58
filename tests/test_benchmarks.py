"""Every source read as published, on replicas of the exact layouts built from real records, and every
benchmark scored as its own scorer scores it (hand-computed for judges whose answers are known)."""

import base64
import json
import random

import polars as pl
import pytest
import yaml
from conftest import MM_RLHF_RECORDS, REPO, VL_RECORDS

from egt.benchmarks import (
    BENCHMARKS,
    Benchmark,
    mm_rlhf_rewardbench,
    multimodal_rewardbench,
    official_headline,
    official_metrics,
    register,
    vl_rewardbench,
)
from egt.data import replicas
from egt.data.adapters import adapt_source
from egt.data.records import SourceError
from egt.evaluation.metrics import score_judgments
from egt.evaluation.official import r1_answer
from egt.judging import R1_REWARD_TEMPLATE, judge_prompt_text
from egt.readers import ADAPTERS, hub_allow_patterns
from egt.readers import adapter as reader

needs_vl_records = pytest.mark.skipif(VL_RECORDS is None, reason="VL-RewardBench records (../shared/benchmarks) absent")


def adapt(folder, adapter, tmp_path, **spec):
    out = tmp_path / f"{adapter}.parquet"
    skipped = adapt_source(folder, {"adapter": adapter, **spec}, reader(adapter), out)
    return pl.read_parquet(out), skipped


def judged(pairs: pl.DataFrame, text_for) -> pl.DataFrame:
    """Judgments of both orders; ``text_for(row, order)`` is the judge's text as presented."""
    rows = [
        {"pair_id": row["pair_id"], "order": order, "text": text_for(row, order)}
        for row in pairs.iter_rows(named=True)
        for order in ("original", "swapped")
    ]
    frame = pl.DataFrame(rows)
    answers = [r1_answer(t) for t in frame["text"]]
    return frame.with_columns(
        answer=pl.Series([int(a) if a in ("1", "2") else None for a in answers], dtype=pl.Int8),
        format_ok=pl.lit(True),
    )


def says(answer):
    return lambda row, order: f"<think>...</think><answer>{answer}</answer>"


def first_shown_is(row, order) -> bool:
    """Whether the preferred response is the one shown first in this order."""
    return (row["label"] == 1) == (order == "original")


# --- VL-RewardBench ---------------------------------------------------------------------------


@needs_vl_records
def test_vl_rewardbench_hub_layout(tmp_path):
    records = [dict(r) for r in VL_RECORDS]
    records[0] = {**records[0], "human_ranking": [0, 0]}  # a tie names no preferred response
    folder = vl_rewardbench.replica(tmp_path / "vl", records)
    pairs, skipped = adapt(folder, "vl_rewardbench", tmp_path)
    assert pairs.height + skipped.height == 1250 and skipped.height == 1
    assert "names no single preferred response" in skipped["reason"][0] and skipped["file"][0].startswith("data/")
    assert pairs["pair_id"].is_unique().all()  # the 25 repeated ids are kept apart
    counts = dict(pairs.group_by("category").len().iter_rows())
    assert counts == {"general": 183, "hallucination": 748, "reasoning": 318}  # the official split, less the tie
    assert dict(pairs.group_by("label").len().iter_rows()) == {1: 1244, 2: 5}
    # the image came out of the parquet struct; the tsv and zip beside it were never read
    assert pairs["image"][0] == replicas.picture(1)
    assert hub_allow_patterns({"adapter": "vl_rewardbench"}) == ["data/test-*.parquet", "README.md"]


@needs_vl_records
def test_vl_rewardbench_official_scorer(tmp_path):
    pairs, _ = adapt(vl_rewardbench.replica(tmp_path / "vl", VL_RECORDS[:300]), "vl_rewardbench", tmp_path)
    n = pairs.height
    always_one = official_metrics(judged(pairs, says(1)), pairs, "vl_rewardbench")
    assert always_one["overall"] == 1.0 and always_one["excluded_unparseable"] == 0  # preferred shown first
    never = official_metrics(judged(pairs, lambda r, o: "I cannot tell."), pairs, "vl_rewardbench")
    assert never["excluded_unparseable"] == n and never["overall"] is None  # cal.py leaves them out
    assert never["r1_reward_split"]["overall"] == 0.0  # R1-Reward's get_acc counts them wrong
    # right when the preferred response is named, wherever it is shown: debiased and official agree
    truthful = judged(pairs, lambda r, o: f"<answer>{1 if first_shown_is(r, o) else 2}</answer>")
    assert official_metrics(truthful, pairs, "vl_rewardbench")["overall"] == 1.0
    assert score_judgments(truthful, pairs)[1]["accuracy"] == 1.0
    # "always 1" is a position habit: perfect in R1-Reward's setting, half right once both orders count
    assert score_judgments(judged(pairs, says(1)), pairs)[1]["accuracy"] == 0.5
    categories = always_one["categories"]
    assert sum(c["pairs"] for c in categories.values()) == n and always_one["macro"] == 1.0


# --- MM-RLHF-RewardBench ----------------------------------------------------------------------


def test_mm_rlhf_rewardbench_hub_layout(tmp_path):
    folder = mm_rlhf_rewardbench.replica(tmp_path / "mm", MM_RLHF_RECORDS)
    assert (folder / "data/train-00000-of-00001.parquet").exists()  # the second copy is there …
    pairs, skipped = adapt(folder, "mm_rlhf_rewardbench", tmp_path)
    assert (pairs.height, skipped.height) == (170, 0)  # … and never read: no pair twice
    assert pairs["group"].n_unique() == 46 and pairs["pair_id"].is_unique().all()
    counts = dict(pairs.group_by("category").len().iter_rows())
    assert counts == {"mcq": 42, "long": 37, "short": 34, "safety": 32, "video": 25}
    video = pairs.filter(pl.col("category") == "video")
    assert video["frames"].list.len().to_list() == [8] * 25 and pairs["frames"].null_count() == 145
    assert set(pairs["label"]) == {1, 2}  # the chosen response is not always first


def test_mm_rlhf_parquet_copy_has_null_video_columns(tmp_path):
    """Read through the parquet copy, image rows carry a null ``video``: still image items."""
    folder = mm_rlhf_rewardbench.replica(tmp_path / "mm", MM_RLHF_RECORDS)
    pairs, _ = adapt(folder, "mm_rlhf_rewardbench", tmp_path, files=["data/train-*.parquet"])
    assert pairs.height == 170 and pairs["frames"].null_count() == 145


def test_mm_rlhf_official_scorer(tmp_path):
    pairs, _ = adapt(mm_rlhf_rewardbench.replica(tmp_path / "mm", MM_RLHF_RECORDS), "mm_rlhf_rewardbench", tmp_path)
    always_one = official_metrics(judged(pairs, says(1)), pairs, "mm_rlhf_rewardbench")
    assert (always_one["acc"], always_one["acc_plus"], always_one["groups"]) == (1.0, 1.0, 46)
    assert official_metrics(judged(pairs, says(2)), pairs, "mm_rlhf_rewardbench")["acc"] == 0.0
    # wrong on one pair of a group: Acc loses one pair, Acc+ the whole group
    wrong = pairs.filter(pl.col("category") == "safety")["pair_id"][0]
    one_wrong = judged(pairs, lambda r, o: "<answer>2</answer>" if r["pair_id"] == wrong else "<answer>1</answer>")
    metrics = official_metrics(one_wrong, pairs, "mm_rlhf_rewardbench")
    assert metrics["acc"] == pytest.approx(169 / 170) and metrics["acc_plus"] == pytest.approx(45 / 46)
    assert metrics["categories"]["safety"]["acc_plus"] == pytest.approx(5 / 6)
    # its script's fallback reads the first line holding a digit; the others read the last digit
    text = "Response 1 is good.\nSo the answer is 2"
    assert (r1_answer(text, "first_line"), r1_answer(text, "last")) == ("1", "2")


# --- Multimodal RewardBench -------------------------------------------------------------------


def test_multimodal_rewardbench_repository_layout(tmp_path):
    texts = replicas.texts_from(MM_RLHF_RECORDS)
    folder = multimodal_rewardbench.replica(tmp_path / "mmrb", texts, per_source=4)
    pairs, skipped = adapt(folder, "multimodal_rewardbench", tmp_path)
    assert pairs.height + skipped.height == 32 and pairs["pair_id"].is_unique().all()
    reasons = skipped["reason"].to_list()
    assert sum(r.startswith("missing image images/hateful_memes/") for r in reasons) == 4  # not distributed
    assert "Better is 'Tie', not Output1 or Output2" in reasons
    counts = dict(pairs.group_by("category").len().iter_rows())
    assert counts["reasoning/math"] == 4  # MathVista_…: the prefix rule compares the lower-cased ID
    assert counts["safety/bias"] == 4 and "safety/toxicity" not in counts
    assert counts["open_generation/correctness_task"] == 3


def test_multimodal_rewardbench_official_scorer(tmp_path):
    folder = multimodal_rewardbench.replica(tmp_path / "mmrb", replicas.texts_from(MM_RLHF_RECORDS), per_source=4)
    pairs, _ = adapt(folder, "multimodal_rewardbench", tmp_path)
    assert official_metrics(judged(pairs, says(1)), pairs, "multimodal_rewardbench")["overall"] == 1.0
    # unparseable: A or B by random.random() < 0.5 after random.seed(123), drawn in file order
    rng = random.Random(123)
    expected = sum(rng.random() < 0.5 for _ in range(pairs.height)) / pairs.height
    metrics = official_metrics(judged(pairs, lambda r, o: "no verdict"), pairs, "multimodal_rewardbench")
    assert metrics["overall"] == pytest.approx(expected)
    # alternating answers by file position: right on every other item
    rows = dict(zip(pairs["pair_id"], pairs["source_row"], strict=True))
    order = {pid: rank for rank, pid in enumerate(sorted(rows, key=rows.get))}
    alternating = official_metrics(
        judged(pairs, lambda r, o: f"<answer>{1 + order[r['pair_id']] % 2}</answer>"), pairs, "multimodal_rewardbench"
    )
    assert alternating["overall"] == pytest.approx(sum(1 for k in order.values() if k % 2 == 0) / pairs.height)
    # the R1-Reward paper's Overall averages seven columns; this replica has no toxicity items,
    # but safety/bias fills the safety column
    assert metrics["paper_columns"]["safety"] is not None and metrics["paper_overall"] is not None


# --- R1-Reward-RL -----------------------------------------------------------------------------


def test_r1_reward_rl_shards_with_images_in_the_records(tmp_path):
    texts = replicas.texts_from(MM_RLHF_RECORDS)
    folder = replicas.r1_reward_rl(tmp_path / "r1", texts, rows=30)
    assert len(list((folder / "data").glob("train-*-of-00006.parquet"))) == 6
    pairs, skipped = adapt(folder, "r1_reward_rl", tmp_path)
    assert pairs.height + skipped.height == 30 and skipped.height == 3
    assert sorted(r.split(" ")[0] for r in skipped["reason"]) == ["answer", "missing", "unreadable"]
    rows = replicas.r1_reward_rl_rows(texts, 30)
    first = pairs.row(0, named=True)
    assert first["image"] == base64.b64decode(rows[0]["image"])  # decoded from the record itself
    assert (
        judge_prompt_text(first["question"], first["response_1"], first["response_2"], "r1_reward")
        in (json.loads(rows[0]["message"])[0]["content"][0]["text"])
    )
    kept = [0, *range(4, 30)]  # rows 1-3 were broken on purpose
    assert pairs["label"].to_list() == [int(rows[i]["answer"][0][8]) for i in kept]


@pytest.mark.parametrize("form", ["data_url", "bytes", "struct", "path"])
def test_r1_reward_rl_image_decided_per_value(tmp_path, form):
    texts = replicas.texts_from(MM_RLHF_RECORDS)
    rows = replicas.r1_reward_rl_rows(texts, 3)
    image = base64.b64decode(rows[0]["image"])
    value = {
        "data_url": "data:image/jpeg;base64," + rows[0]["image"],
        "bytes": image,
        "struct": {"bytes": image, "path": None},
        "path": "pictures/0.jpg",
    }[form]
    (tmp_path / "src/pictures").mkdir(parents=True)
    (tmp_path / "src/pictures/0.jpg").write_bytes(image)
    (tmp_path / "src/data").mkdir()
    schema_image = {"bytes": pl.Binary, "struct": pl.Struct({"bytes": pl.Binary, "path": pl.String})}.get(
        form, pl.String
    )
    frame = pl.DataFrame(
        [{**rows[0], "image": value}],
        schema={"question": pl.String, "message": pl.String, "answer": pl.List(pl.String), "image": schema_image},
    )
    frame.write_parquet(tmp_path / "src/data/train-00000-of-00001.parquet")
    pairs, skipped = adapt(tmp_path / "src", "r1_reward_rl", tmp_path)
    assert skipped.height == 0 and pairs["image"][0] == image


# --- sources that yield nothing, and caches ---------------------------------------------------


def test_a_source_without_its_files_is_an_error_naming_folder_and_globs(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match=r"empty: no file matches data/test-\*.parquet"):
        adapt(tmp_path / "empty", "vl_rewardbench", tmp_path)
    (tmp_path / "blank/data").mkdir(parents=True)
    (tmp_path / "blank/data/all_data.json").write_text("[]")
    with pytest.raises(SourceError, match="hold no records"):
        adapt(tmp_path / "blank", "multimodal_rewardbench", tmp_path)
    with pytest.raises(SourceError, match="no such folder"):
        adapt(tmp_path / "missing", "vl_rewardbench", tmp_path)


def test_a_source_inside_a_cache_folder_is_read(tmp_path):
    """A home cache such as ~/.cache/egt/… is a normal place for data; only hidden folders *inside*
    the source (a download's .cache) are skipped."""
    folder = mm_rlhf_rewardbench.replica(tmp_path / ".cache/egt/mm", MM_RLHF_RECORDS[:12])
    (folder / ".cache/huggingface").mkdir(parents=True)
    (folder / ".cache/huggingface/mm_reward_bench.jsonl").write_text("not json\n")
    pairs, _ = adapt(folder, "mm_rlhf_rewardbench", tmp_path, files=["**/mm_reward_bench.jsonl"])
    assert pairs.height == 12


def test_r1_reward_template_is_byte_exact():
    import hashlib

    assert hashlib.sha256(R1_REWARD_TEMPLATE.encode()).hexdigest() == (
        "5593ecd7d4d7ec962076e313f8b061a91e39e1b68f6517afb4278a3bbdc89245"
    )
    text = judge_prompt_text("What is {x}?", "A {y}", "B", "r1_reward")
    assert "###### [Question]:\nWhat is {x}?  \n\n###### [Response 1]:\nA {y}  \n\n" in text


# --- the registries ---------------------------------------------------------------------------


def test_readers_are_the_registered_sources_and_benchmarks_and_the_docs_name_each():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    dataset = schema["properties"]["data"]["properties"]["datasets"]["additionalProperties"]
    assert "enum" not in dataset["properties"]["adapter"]  # the registry is the only list (egt.config checks it)
    assert [name for name in ADAPTERS if name in BENCHMARKS] == list(BENCHMARKS)
    docs = (REPO / "docs/data.md").read_text()
    assert all(f"(`{name}`)" in docs for name in ADAPTERS), "docs/data.md's table lacks a reader"


# EGT's paper (arXiv 2602.01884, its evaluation section) reports these three; a benchmark registered later
# is evaluated by a config that names it, not by the paper's.
PAPERS_BENCHMARKS = {"vl_rewardbench", "mm_rlhf_rewardbench", "multimodal_rewardbench"}


def test_the_paper_config_evaluates_the_papers_benchmarks_each_under_its_registered_reader():
    datasets = yaml.safe_load((REPO / "config/paper.yaml").read_text())["data"]["datasets"]
    evaluated = {name: spec["adapter"] for name, spec in datasets.items() if name.startswith("benchmark_")}
    assert evaluated == {f"benchmark_{name}": name for name in PAPERS_BENCHMARKS}
    assert PAPERS_BENCHMARKS <= set(BENCHMARKS)


def test_each_benchmark_is_scored_and_headlined_by_its_registration_and_anything_else_by_accuracy():
    pairs = pl.DataFrame(
        {"pair_id": ["a", "b"], "label": [1, 2], "category": ["c", "c"], "group": ["a", "b"]},
        schema_overrides={"label": pl.Int8},
    )
    seen = []
    register(
        Benchmark(
            reader("egt_pairs"),
            lambda first: seen.append(first.height) or {"x": 1.0},
            lambda m: f"x={m['x']}",
            ("c",),
            lambda out, real, size: out,
        )
    )
    try:
        metrics = official_metrics(judged(pairs, says(1)), pairs, "egt_pairs")
        assert metrics == {"scorer": "egt_pairs", "x": 1.0} and seen == [2] and official_headline(metrics) == "x=1.0"
    finally:
        del BENCHMARKS["egt_pairs"]
    toy = official_metrics(judged(pairs, says(1)), pairs, "toy")
    assert toy == {"scorer": "toy", "pairs": 2, "accuracy": 1.0} and official_headline(toy) == "accuracy 1.000"


@needs_vl_records
@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_each_registered_benchmark_reads_its_replica_into_its_own_categories(name, tmp_path):
    benchmark = BENCHMARKS[name]
    folder = benchmark.replica(
        tmp_path / name, {"vl_rewardbench": VL_RECORDS, "mm_rlhf_rewardbench": MM_RLHF_RECORDS}, None
    )
    pairs, skipped = adapt(folder, name, tmp_path)
    assert pairs.height > 0 and set(pairs["category"]) <= set(benchmark.categories)
    assert set(pairs["label"]) <= {1, 2} and pairs["pair_id"].is_unique().all()
