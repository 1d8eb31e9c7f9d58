"""The paper path's data rules: Hub downloads (a mirror, the offline cache), manifests, the paper DAG,
and real sources through adapt_dataset and validate_data."""

import json

import polars as pl
import pytest
import yaml
from conftest import MM_RLHF_RECORDS, REPO, jobs_planned, snakemake

from egt.benchmarks import mm_rlhf_rewardbench
from egt.data.hub import DownloadError, download_snapshot, folder_manifest
from egt.data.toyworld import generate_split


def test_offline_download_fails_clearly_without_a_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(DownloadError, match=r"dataset some-org/some-dataset@main could not be fetched offline"):
        download_snapshot("some-org/some-dataset", "main", "dataset", tmp_path / "out", offline=True)


def test_mirror_download_fetches_only_what_the_adapter_reads(tmp_path):
    mirror = tmp_path / "mirror"
    mm_rlhf_rewardbench.replica(mirror / "yifanzhang114/MM-RLHF-RewardBench", MM_RLHF_RECORDS[:10])
    patterns = ["mm_reward_bench.jsonl", "images/**", "README.md"]
    manifest = download_snapshot(
        "yifanzhang114/MM-RLHF-RewardBench", "abc123", "dataset", tmp_path / "out", patterns, mirror=mirror
    )
    paths = [f["path"] for f in manifest["files"]]
    assert "mm_reward_bench.jsonl" in paths and any(p.startswith("images/") for p in paths)
    assert not any(p.startswith("data/") for p in paths)  # the parquet copy stays behind
    assert manifest["revision"] == "abc123" and all(len(f["sha256"]) == 64 for f in manifest["files"])
    with pytest.raises(DownloadError, match="not in the mirror"):
        download_snapshot("org/absent", "main", "dataset", tmp_path / "x", patterns, mirror=mirror)


def test_manifest_of_a_folder(tmp_path):
    (tmp_path / "a.json").write_text("[]")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/b.jsonl").write_text('{"x": 1}\n')
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache/lock").write_text("")
    manifest = folder_manifest("org/name", "abc123", "dataset", tmp_path)
    assert [f["path"] for f in manifest["files"]] == ["a.json", "sub/b.jsonl"]
    assert manifest["files"][0]["sha256"] == "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"


@pytest.mark.pipeline
def test_paper_config_builds_the_whole_dag(tmp_path):
    dry = snakemake("-n", "--configfile", str(REPO / "config/paper.yaml"), workdir=tmp_path, timeout=300, check=False)
    output = dry.stdout + dry.stderr
    # the local source folders are not there yet: named before any job, with what to put there
    assert dry.returncode != 0 and "resources/local/sft_candidates" in output and "Traceback" not in output
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


@pytest.mark.pipeline
def test_after_a_default_run_the_paper_dry_run_plans_every_data_job(smoke_run, tmp_path):
    """Results live under results/<run>/: the toy world's files never stand in for the paper's data."""
    for local in ("sft_candidates", "multimodal_rewardbench"):
        (smoke_run / "resources/local" / local).mkdir(parents=True, exist_ok=True)
    dry = snakemake("-n", "--configfile", str(REPO / "config/paper.yaml"), workdir=smoke_run, timeout=300)
    planned = jobs_planned(dry.stdout + dry.stderr)
    assert planned["download_dataset"] == 3 and planned["adapt_dataset"] == planned["validate_data"] == 5


@pytest.mark.pipeline
def test_real_sources_through_adapt_and_validate(tmp_path):
    """data.source hub with local folders in the published layouts: the rules a cluster run uses."""
    sources = tmp_path / "sources"
    pool, _ = generate_split("pool", 12, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    sft, _ = generate_split("sft", 8, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    (sources / "pool").mkdir(parents=True)
    (sources / "sft").mkdir()
    pool.drop("reasoning").with_columns(pl.col("label").cast(pl.Int64)).write_parquet(sources / "pool/train.parquet")
    sft.write_parquet(sources / "sft/train.parquet")
    records = [dict(r) for r in MM_RLHF_RECORDS[:30]]
    mm = mm_rlhf_rewardbench.replica(sources / "mm", records)
    (mm / "images" / records[0]["image"]).unlink()  # a missing image: skipped with its reason, not lost
    override = tmp_path / "local.yaml"
    datasets = {
        "pool": {"path": str(sources / "pool"), "adapter": "egt_pairs"},
        "sft": {"path": str(sources / "sft"), "adapter": "egt_pairs"},
        "benchmark_mm_rlhf_rewardbench": {"path": str(mm), "adapter": "mm_rlhf_rewardbench"},
    }
    override.write_text(yaml.safe_dump({"run": "local", "data": {"source": "hub", "datasets": datasets}}))
    targets = [f"results/local/data/{name}.valid.parquet" for name in datasets]
    snakemake(*targets, "--cores", "1", "--configfile", str(override), workdir=tmp_path / "run")
    data = tmp_path / "run/results/local/data"
    assert pl.read_parquet(data / "pool.valid.parquet").height == 12
    assert pl.read_parquet(data / "sft.valid.parquet").height == 8
    bench = pl.read_parquet(data / "benchmark_mm_rlhf_rewardbench.valid.parquet")
    skipped = pl.read_parquet(data / "benchmark_mm_rlhf_rewardbench.skipped.parquet")
    assert bench.height + skipped.height == 30 and skipped["reason"][0].startswith("missing image mcq/")
    assert {"category", "group", "source_id", "source_row", "frames"} <= set(bench.columns)
    report = json.loads((data / "benchmark_mm_rlhf_rewardbench.validation.json").read_text())
    assert report["rows_in"] == bench.height == report["rows_kept"]
