"""The paper-scale path: config/paper.yaml's DAG, real-schema adapters and local source folders."""

import io
import json
import shutil

import polars as pl
import pytest
import yaml
from conftest import REPO, jobs_planned, snakemake
from PIL import Image

from egt.data.hub import download_snapshot, folder_manifest
from egt.data.sources import load_r1_reward_rl, read_records
from egt.data.toyworld import generate_split

SHARED = REPO.parent / "shared" / "benchmarks"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (28, 28), (10, 200, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.pipeline
def test_paper_config_builds_the_whole_dag(tmp_path):
    # local sources must exist for their adapt jobs to be planned
    (tmp_path / "resources/local/sft_candidates").mkdir(parents=True)
    (tmp_path / "resources/local/multimodal_rewardbench").mkdir(parents=True)
    dry = snakemake("-n", "--configfile", str(REPO / "config/paper.yaml"), workdir=tmp_path, timeout=300)
    planned = jobs_planned(dry.stdout + dry.stderr)
    paper = yaml.safe_load((REPO / "config/paper.yaml").read_text())
    assert planned["download_dataset"] == 3 and planned["download_model"] == 1
    assert planned["adapt_dataset"] == planned["validate_data"] == 5
    assert planned["teacher_traces"] == 1
    assert planned["rollout"] == paper["rollout"]["shards"]
    assert planned["grpo_stage"] == paper["curriculum"]["stages"]
    assert planned["evaluate"] == 2 * 3  # SFT and final model on the three benchmarks
    assert "toy_world" not in planned and "base_model" not in planned


def r1_record(image: str, answer: str) -> dict:
    prompt = (
        "You are a highly skilled and impartial evaluator ...\n###### **Input:**  \n"
        "###### [Question]:\nWhat is shown?  \n\n###### [Response 1]:\nA cat on a mat.  \n\n"
        "###### [Response 2]:\nA dog.\nIt is brown.  \n\n###### **Output Format (strictly follow):**  \n"
        "<think>Your detailed comparative analysis goes here</think><answer>1/2</answer>"
    )
    message = [{"role": "user", "content": [{"type": "text", "text": prompt}, {"type": "image", "image": image}]}]
    return {"message": json.dumps(message), "question": "What is shown?", "answer": [answer]}


def test_r1_reward_rl_adapter(tmp_path):
    (tmp_path / "cat.jpg").write_bytes(png())
    records = [
        r1_record("/their/machine/images/cat.jpg", "<answer>2</answer>"),
        r1_record("/their/machine/images/gone.jpg", "<answer>1</answer>"),
        r1_record("/their/machine/images/cat.jpg", "<answer>3</answer>"),
        {"message": "not json", "question": "?", "answer": ["<answer>1</answer>"]},
    ]
    pairs, skipped = load_r1_reward_rl(records, tmp_path)
    assert pairs.height == 1 and skipped.height == 3
    row = pairs.row(0, named=True)
    assert (row["response_1"], row["response_2"], row["label"]) == ("A cat on a mat.", "A dog.\nIt is brown.", 2)
    assert sorted(skipped["reason"].str.slice(0, 12)) == ["answer ['<an", "missing imag", "unreadable m"]


@pytest.mark.pipeline
def test_local_folders_through_adapt_and_validate(tmp_path):
    """data.source hub with local folders in the real layouts: the rules a cluster run uses."""
    sources = tmp_path / "sources"
    pool, _ = generate_split("pool", 12, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    sft, _ = generate_split("sft", 8, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    (sources / "pool").mkdir(parents=True)
    (sources / "sft").mkdir()
    pool.drop("reasoning").with_columns(pl.col("label").cast(pl.Int64)).write_parquet(sources / "pool/train.parquet")
    sft.write_parquet(sources / "sft/train.parquet")
    vl = sources / "vl"
    vl.mkdir()
    records = json.loads((SHARED / "vl_rewardbench.json").read_text())[:30] if SHARED.is_dir() else []
    if not records:
        pytest.skip(f"real benchmark records not found at {SHARED}")
    shutil.copy(SHARED / "vl_rewardbench.json", vl / "data.json")
    (vl / "data.json").write_text(json.dumps(records))
    for record in records[:-1]:  # the last image is missing: skipped with a reason, not lost
        (vl / record["image"]).parent.mkdir(parents=True, exist_ok=True)
        (vl / record["image"]).write_bytes(png())
    override = tmp_path / "local.yaml"
    override.write_text(
        yaml.safe_dump(
            {
                "run": "local",
                "data": {
                    "source": "hub",
                    "datasets": {
                        "pool": {"path": str(sources / "pool"), "adapter": "egt_pairs"},
                        "sft": {"path": str(sources / "sft"), "adapter": "egt_pairs"},
                        "benchmark_vl_rewardbench": {"path": str(vl), "adapter": "vl_rewardbench"},
                    },
                },
            }
        )
    )
    targets = [f"results/local/data/{name}.valid.parquet" for name in ("pool", "sft", "benchmark_vl_rewardbench")]
    snakemake(*targets, "--cores", "1", "--configfile", str(override), workdir=tmp_path / "run")
    data = tmp_path / "run/results/local/data"
    assert pl.read_parquet(data / "pool.valid.parquet").height == 12
    assert pl.read_parquet(data / "sft.valid.parquet").height == 8
    bench = pl.read_parquet(data / "benchmark_vl_rewardbench.valid.parquet")
    skipped = pl.read_parquet(data / "benchmark_vl_rewardbench.skipped.parquet")
    assert bench.height + skipped.height == 30 and skipped.height == 1
    assert {"category", "group", "source_id"} <= set(bench.columns)


def test_offline_download_fails_clearly_without_a_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(Exception, match=r"(?i)offline|local|cache|not found"):
        download_snapshot("some-org/some-dataset", "main", "dataset", tmp_path / "out", offline=True)


def test_manifest_of_a_folder(tmp_path):
    (tmp_path / "a.json").write_text("[]")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/b.jsonl").write_text('{"x": 1}\n')
    manifest = folder_manifest("org/name", "abc123", "dataset", tmp_path)
    assert [f["path"] for f in manifest["files"]] == ["a.json", "sub/b.jsonl"]
    assert manifest["files"][0]["sha256"] == "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
    assert read_records(tmp_path) == [{"x": 1}]
