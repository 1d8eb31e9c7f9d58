"""Benchmark adapters on the real published records (../shared/benchmarks), with placeholder images."""

import io
import json
from pathlib import Path

import polars as pl
import pytest
from conftest import REPO
from PIL import Image

from egt.data.benchmarks import load_mm_rlhf_rewardbench, load_multimodal_rewardbench, load_vl_rewardbench
from egt.evaluation.metrics import score_judgments

SHARED = REPO.parent / "shared" / "benchmarks"
needs_records = pytest.mark.skipif(not SHARED.is_dir(), reason=f"real benchmark records not found at {SHARED}")


def placeholder_images(root: Path, relative_paths) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (28, 28), (200, 30, 30)).save(buffer, format="PNG")
    for relative in relative_paths:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(buffer.getvalue())


def judge(pairs: pl.DataFrame, answer_original, answer_swapped) -> pl.DataFrame:
    """Judgments of both orders from two rules mapping a pair row to the answer as presented."""
    rows = [
        {"pair_id": row["pair_id"], "order": order, "text": "", "answer": rule(row), "format_ok": rule(row) is not None}
        for row in pairs.iter_rows(named=True)
        for order, rule in (("original", answer_original), ("swapped", answer_swapped))
    ]
    return pl.DataFrame(rows, schema_overrides={"answer": pl.Int8})


def benchmark_metrics(judgments: pl.DataFrame, pairs: pl.DataFrame) -> dict:
    return score_judgments(judgments, pairs)[1]


@needs_records
def test_vl_rewardbench_real_records(tmp_path):
    records = json.loads((SHARED / "vl_rewardbench.json").read_text())
    placeholder_images(tmp_path, {r["image"] for r in records})
    pairs, skipped = load_vl_rewardbench(records, tmp_path)
    assert pairs.height == 1250 and skipped.height == 0
    assert pairs["pair_id"].is_unique().all()  # 25 repeated ids are kept apart
    counts = dict(pairs.group_by("category").len().iter_rows())
    assert counts == {"general": 183, "hallucination": 749, "reasoning": 318}
    assert dict(pairs.group_by("label").len().iter_rows()) == {1: 1245, 2: 5}  # human_ranking decides

    # A judge that always names the first response looks excellent in the published order …
    always_first = judge(pairs, lambda r: 1, lambda r: 1)
    metrics = benchmark_metrics(always_first, pairs)
    assert metrics["accuracy_original"] == pytest.approx(1245 / 1250)
    # … and is exposed once both orders are scored.
    assert metrics["accuracy_swapped"] == pytest.approx(5 / 1250)
    assert metrics["accuracy_both_orders"] == 0.0
    perfect = benchmark_metrics(judge(pairs, lambda r: r["label"], lambda r: 3 - r["label"]), pairs)
    assert perfect["accuracy"] == perfect["macro_accuracy"] == perfect["accuracy_both_orders"] == 1.0


@needs_records
def test_vl_rewardbench_missing_image_is_reported_not_dropped(tmp_path):
    records = json.loads((SHARED / "vl_rewardbench.json").read_text())[:20]
    placeholder_images(tmp_path, {r["image"] for r in records[1:]})
    pairs, skipped = load_vl_rewardbench(records, tmp_path)
    assert pairs.height + skipped.height == 20
    assert skipped["reason"][0].startswith("missing image")


@needs_records
def test_mm_rlhf_real_records_acc_plus_and_video(tmp_path):
    records = [json.loads(line) for line in (SHARED / "mm_rlhf_rewardbench.jsonl").read_text().splitlines()]
    placeholder_images(tmp_path, {r["image"] for r in records if "image" in r})
    pairs, skipped = load_mm_rlhf_rewardbench(records, tmp_path)
    assert pairs.height == 145 and skipped.height == 25
    assert set(skipped["reason"].str.slice(0, 10)) == {"video item"}
    assert dict(pairs.group_by("category").len().iter_rows()) == {"mcq": 42, "long": 37, "short": 34, "safety": 32}
    assert set(pairs["label"]) == {1, 2}  # the chosen response is not always first
    perfect = judge(pairs, lambda r: r["label"], lambda r: 3 - r["label"])
    assert benchmark_metrics(perfect, pairs)["acc_plus"] == 1.0
    # one wrong pair fails its whole id group
    wrong_id = pairs["pair_id"][0]
    one_wrong = judge(
        pairs, lambda r: 3 - r["label"] if r["pair_id"] == wrong_id else r["label"], lambda r: 3 - r["label"]
    )
    metrics = benchmark_metrics(one_wrong, pairs)
    groups = pairs["group"].n_unique()
    assert metrics["acc_plus"] == pytest.approx((groups - 1) / groups)
    # a tie (no answer) is wrong, and counted as unparseable
    ties = benchmark_metrics(judge(pairs, lambda r: None, lambda r: None), pairs)
    assert ties["accuracy"] == 0.0 and ties["unparseable_rate"] == 1.0


def test_multimodal_rewardbench_categories(tmp_path):
    def record(id_, category, better="Output1"):
        return {
            "ID": id_,
            "Image": f"{id_}.png",
            "Text": "q",
            "Output1": "a",
            "Output2": "b",
            "Better": better,
            "Category": category,
        }

    records = [
        record("pairs_1", "safety"),
        record("toxic_1", "safety", "Output2"),
        record("math_1", "reasoning"),
        record("code_1", "reasoning"),
        record("vqa_1", "vqa"),
        record("k_1", "knowledge"),
        record("bad", "vqa", "Neither"),
    ]
    placeholder_images(tmp_path, [r["Image"] for r in records])
    pairs, skipped = load_multimodal_rewardbench(records, tmp_path)
    assert pairs["category"].to_list() == [
        "safety/bias",
        "safety/toxicity",
        "reasoning/math",
        "reasoning/coding",
        "vqa",
        "knowledge",
    ]
    assert pairs["label"].to_list() == [1, 2, 1, 1, 1, 1]
    assert skipped.height == 1 and "Neither" in skipped["reason"][0]
