"""Data that cannot be used stops the run before any training, and every reader is exactly as
lenient as its authors' (issue 23)."""

import json
import shutil
import subprocess
import sys

import polars as pl
import pytest
from conftest import MM_RLHF_RECORDS, REPO, VL_RECORDS, snakemake

from egt.benchmarks import mm_rlhf_rewardbench, multimodal_rewardbench, vl_rewardbench
from egt.data import replicas
from egt.data.adapters import adapt_source
from egt.data.sources import r1_label
from egt.data.usability import UnusableDataset, check_usable, role
from egt.evaluation.official import as_number, as_whole_number
from egt.readers import adapter as reader


def adapted(folder, adapter, tmp_path, dataset, max_fraction=0.5):
    """adapt_source, then the check the adapt_dataset rule makes (scripts/adapt_dataset.py)."""
    out = tmp_path / f"{dataset}.parquet"
    skipped = adapt_source(folder, {"adapter": adapter}, reader(adapter), out)
    pairs = pl.read_parquet(out).height
    check_usable(dataset, "adapted", pairs + skipped.height, dict(skipped.group_by("reason").len().iter_rows()),
                 max_fraction)  # fmt: skip
    return pairs, skipped


def texts():
    return replicas.texts_from(MM_RLHF_RECORDS)


def unusable_r1_reward_rl(out):
    folder = replicas.r1_reward_rl(out, texts(), rows=12, broken=False)
    for shard in (folder / "data").glob("*.parquet"):  # every label written as prose
        frame = pl.read_parquet(shard)
        frame.with_columns(pl.col("answer").list.eval(pl.lit("Response 2 is better"))).write_parquet(shard)
    return folder


def unusable_mm_rlhf(out):
    folder = mm_rlhf_rewardbench.replica(out, MM_RLHF_RECORDS[:12])
    shutil.rmtree(folder / "images")  # the images not unpacked: every record names a missing file
    return folder


def unusable_multimodal_rewardbench(out):
    folder = multimodal_rewardbench.replica(out, texts(), per_source=2)
    records = json.loads((folder / "data/all_data.json").read_text())
    for record in records:
        record["Better"] = record["Better"].replace("Output", "Response ")  # a variant spelling
    (folder / "data/all_data.json").write_text(json.dumps(records))
    return folder


def unusable_vl_rewardbench(out):
    if VL_RECORDS is None:
        pytest.skip("VL-RewardBench records (../shared/benchmarks) absent")
    records = [{**r, "human_ranking": [0, 0]} for r in VL_RECORDS[:10]]  # every pair a tie
    return vl_rewardbench.replica(out, records)


def unusable_egt_pairs(out):
    folder = replicas.sft_candidates(out, texts(), rows=8)
    frame = pl.read_parquet(folder / "train.parquet")
    frame.with_columns(pl.lit("A").alias("label")).write_parquet(folder / "train.parquet")
    return folder


@pytest.mark.parametrize(
    "adapter, dataset, build, reason",
    [
        ("r1_reward_rl", "pool", unusable_r1_reward_rl, "names no response 1 or 2"),
        ("mm_rlhf_rewardbench", "benchmark_mm_rlhf_rewardbench", unusable_mm_rlhf, "missing image"),
        ("multimodal_rewardbench", "benchmark_multimodal_rewardbench", unusable_multimodal_rewardbench, "Better"),
        ("vl_rewardbench", "benchmark_vl_rewardbench", unusable_vl_rewardbench, "names no single preferred response"),
        ("egt_pairs", "sft_candidates", unusable_egt_pairs, "label 'A'"),
    ],
)
def test_a_source_in_a_variant_format_stops_with_counts_and_reasons(tmp_path, adapter, dataset, build, reason):
    folder = build(tmp_path / "source")
    with pytest.raises(UnusableDataset) as stop:
        adapted(folder, adapter, tmp_path, dataset)
    message = str(stop.value)
    assert message.startswith(f"{dataset}: adapted ") and "kept 0" in message and "no usable row" in message
    assert reason.lower() in message.lower() and "Nothing was trained" in message


def test_validation_that_quarantines_too_much_stops_and_keeps_the_rejected_rows(tmp_path):
    """The validate_data rule's check (scripts/validate_data.py): 8 of 18 rows quarantined pass at the
    default 0.5 and stop at 0.3; the quarantined rows are written beside the log before the job fails."""
    from test_validation import corrupted_pool

    from egt.data.validation import validate_file, validation_report

    frame, _ = corrupted_pool()
    frame.write_parquet(tmp_path / "sft.parquet")
    quarantined = validate_file(tmp_path / "sft.parquet", tmp_path / "sft.valid.parquet", reasoning=True)
    report = validation_report("sft.parquet", frame.height, quarantined)
    keep = tmp_path / "logs/validate_sft.quarantine.parquet"
    check_usable("sft", "validated", frame.height, report["reasons"], 0.5, quarantined, keep)
    assert not keep.exists()
    with pytest.raises(
        UnusableDataset, match=r"sft: validated 18 records, kept 10, left out 8 \(44%\).*sft = 0.3"
    ) as stop:
        check_usable("sft", "validated", frame.height, report["reasons"], 0.3, quarantined, keep)
    assert str(keep) in str(stop.value)
    assert pl.read_parquet(keep).equals(quarantined)


def test_mostly_unusable_stops_past_the_configured_share_and_a_few_skips_pass(tmp_path):
    folder = replicas.r1_reward_rl(tmp_path / "r1", texts(), rows=30)  # 3 of 30 broken on purpose
    pairs, _ = adapted(folder, "r1_reward_rl", tmp_path, "pool")
    assert pairs == 27
    with pytest.raises(UnusableDataset, match=r"left out 3 \(10%\).*max_skipped_fraction.pool = 0.05"):
        adapted(folder, "r1_reward_rl", tmp_path, "pool", max_fraction=0.05)
    assert [role(n) for n in ("pool", "sft", "sft_candidates", "benchmark_vl_rewardbench", "validation_toy")] == [
        "pool", "sft", "sft", "benchmark", "validation"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "answer, label",
    [
        (["<answer>2</answer>"], 2),  # README §2.3
        (["<think>the first is right</think><answer>1</answer>"], 1),  # the tag anywhere in the string
        (["<answer> 2\n</answer>"], 2),  # stripped, across a line break (DOTALL)
        (["1"], 1),  # no tag: the stripped string
        ([" 2 "], 2),
        (["<answer>1</answer>", "<answer>1</answer>"], 1),
    ],
)
def test_the_r1_reward_rl_label_is_read_as_its_authors_read_it(answer, label):
    assert r1_label(answer) == label


@pytest.mark.parametrize(
    "answer",
    [
        ["<answer>3</answer>"],
        ["Response 2"],
        [],
        ["<answer>1</answer>", "<answer>2</answer>"],
        "<answer>1</answer>",
        None,
    ],
)
def test_labels_the_authors_reader_would_not_take_are_skipped_with_a_reason(answer):
    assert isinstance(r1_label(answer), str)


def test_vl_rewardbench_counts_only_the_whole_numbers_cal_py_counts():
    """cal.py reads ``Answer\\s*(\\d+)`` then ``int``: 1.0, 1e0, nan and inf name no number; R1-Reward's
    own scripts read ``float(answer)``, so the other scorers keep that."""
    assert [as_whole_number(a) for a in ("1", " 2 ", "01", "1.0", "1e0", "nan", "inf", "-1", None)] == [
        1, 2, 1, None, None, None, None, None, None
    ]  # fmt: skip
    assert as_number("1.0") == 1.0 and as_number("x") is None
    first = pl.DataFrame(
        {
            "pair_id": ["hallucination_pair-1", "mathverse-2", "wildvision-battle-3", "RLAIF-V-4"],
            "text": ["<answer>1.0</answer>", "<answer>2</answer>", "<answer>1</answer>", "<answer>nan</answer>"],
            "category": ["hallucination", "reasoning", "general", "hallucination"],
        }
    )
    metrics = vl_rewardbench.score(first)
    assert metrics["excluded_unparseable"] == 2 and metrics["overall"] == 0.5


@pytest.mark.pipeline
def test_the_run_stops_before_training_when_the_pool_is_unusable(tmp_path):
    """The paper DAG (rehearsal config): an R1-Reward-RL pool whose every label is prose stops the run
    at its adapt_dataset job, which names the counts and the reason; no SFT job starts."""
    replicas_tool = [sys.executable, str(REPO / "tools/make_replicas.py"), str(tmp_path / "resources/rehearsal")]
    subprocess.run(replicas_tool, check=True, capture_output=True)
    pool = tmp_path / "resources/rehearsal/hub/yifanzhang114/R1-Reward-RL"
    shutil.rmtree(pool)
    unusable_r1_reward_rl(pool)
    configs = ["--configfile", str(REPO / "config/paper.yaml"), str(REPO / "config/rehearsal.yaml")]
    run = snakemake("--cores", "2", "results/rehearsal/data/pool.valid.parquet", *configs, workdir=tmp_path,
                    check=False)  # fmt: skip
    assert run.returncode != 0
    log = (tmp_path / "results/rehearsal/logs/data/adapt_pool.log").read_text()
    assert "UnusableDataset: pool: adapted 12 records, kept 0, left out 12 (100%)" in log
    assert "names no response 1 or 2" in log
    assert not (tmp_path / "results/rehearsal/data/pool.parquet").exists()  # a failed job leaves no output
    kept_aside = tmp_path / "results/rehearsal/logs/data/adapt_pool.skipped.parquet"  # but its reasons survive
    assert str(kept_aside.relative_to(tmp_path)) in log and pl.read_parquet(kept_aside).height == 12
    assert not list((tmp_path / "results/rehearsal").glob("sft*"))


def test_the_summary_says_what_each_role_left_out_and_why():
    from egt.analysis.summary import data_markdown, data_summary

    validation = {
        "pool": {"rows_in": 27, "rows_kept": 25, "rows_quarantined": 2, "reasons": {"identical responses": 2}},
        "benchmark_vl_rewardbench": {"rows_in": 9, "rows_kept": 9, "rows_quarantined": 0, "reasons": {}},
    }
    skipped = {
        "pool": pl.DataFrame({"reason": ["answer ['x'] names no response 1 or 2"] * 2 + ["no image decodes"]}),
        "benchmark_vl_rewardbench": pl.DataFrame({"reason": []}, schema={"reason": pl.String}),
    }
    data = data_summary(validation, skipped)
    assert data["pool"]["role"] == "pool" and data["benchmark_vl_rewardbench"]["role"] == "benchmark"
    assert data["pool"]["records_skipped"] == 3
    assert data["pool"]["skip_reasons"] == {"answer ['x'] names no response 1 or 2": 2, "no image decodes": 1}
    text = data_markdown(data)
    assert "| benchmark | benchmark_vl_rewardbench | 0 | 9 | 9 | 0 |" in text
    assert (
        "- pool, skipped (data/pool.skipped.parquet): 2 × answer ['x'] names no response 1 or 2; 1 × no image" in text
    )
    assert "- pool, quarantined (data/pool.quarantine.parquet): 2 × identical responses" in text
    assert "Nothing was left out." in data_markdown({"pool": {**data["pool"], "skip_reasons": {}, "reasons": {}}})
