import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_RECORDS = REPO.parent / "shared" / "benchmarks"


def _records():
    """Real benchmark records: VL-RewardBench from ../shared (None without it), MM-RLHF-RewardBench vendored."""
    vl = SHARED_RECORDS / "vl_rewardbench.json"
    mm = REPO / "tests/fixtures/records/mm_rlhf_rewardbench.jsonl"
    return (
        json.loads(vl.read_text()) if vl.is_file() else None,
        [json.loads(line) for line in mm.read_text().splitlines() if line.strip()],
    )


VL_RECORDS, MM_RLHF_RECORDS = _records()


def snakemake(
    *args, workdir: Path, snakefile: Path = REPO / "Snakefile", check: bool = True, timeout: int = 1800
) -> subprocess.CompletedProcess:
    """Run the real snakemake command line (this repository's Snakefile unless told otherwise)."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(snakefile),
        "--directory",
        str(workdir),
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def jobs_planned(output: str) -> dict[str, int]:
    """Rule -> job count from a dry run's "Job stats" table."""
    counts = {}
    for line in output.split("Job stats:")[-1].splitlines():
        match = re.match(r"^(\w+)\s+(\d+)\s*$", line.strip())
        if match and match[1] != "total":
            counts[match[1]] = int(match[2])
    return counts


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """One real run of the smoke preset, shared by the pipeline tests."""
    workdir = tmp_path_factory.mktemp("smoke")
    snakemake("--cores", "2", "--configfile", str(REPO / "config/smoke.yaml"), workdir=workdir)
    return workdir


TINY_ARCH = {
    "vocab_size": 400,
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_layers": 2,
    "num_heads": 4,
    "num_kv_heads": 2,
    "vision_depth": 1,
    "vision_hidden_size": 16,
    "vision_num_heads": 2,
}


@pytest.fixture(scope="session")
def tiny_pairs():
    from egt.data.toyworld import generate_split

    pairs, _ = generate_split("pool", 6, seed=0, image_size=56, max_ambiguity=0.5, noise=None)
    return pairs


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_pairs) -> Path:
    """A randomly initialised tiny Qwen2.5-VL saved with save_pretrained (seconds to build)."""
    from egt.judging import JUDGE_INSTRUCTION
    from egt.modeling import build_tiny_base

    path = tmp_path_factory.mktemp("tiny") / "model"
    texts = [JUDGE_INSTRUCTION] * 20 + tiny_pairs["reasoning"].to_list() + tiny_pairs["response_1"].to_list()
    build_tiny_base(path, texts, TINY_ARCH, image_size=56, seed=0)
    return path


# Every registered model family (egt.families), listed here so that collection needs no torch import;
# tests/test_families.py fails if the two lists differ.
FAMILY_NAMES = ["qwen2_5_vl", "qwen3_vl"]


@pytest.fixture(scope="session", params=FAMILY_NAMES)
def tiny_family_model(request, tmp_path_factory, tiny_pairs):
    """(family, folder, description) of a randomly initialised tiny model of each registered family."""
    from egt.judging import JUDGE_INSTRUCTION
    from egt.modeling import build_tiny_base

    path = tmp_path_factory.mktemp(request.param) / "model"
    texts = [JUDGE_INSTRUCTION] * 20 + tiny_pairs["reasoning"].to_list() + tiny_pairs["response_1"].to_list()
    info = build_tiny_base(path, texts, {**TINY_ARCH, "family": request.param}, image_size=56, seed=0)
    return request.param, path, info


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (make test: -n 2 --dist loadgroup), keep every test of the shared smoke
    run on one worker (so it is built once) and the Slurm rehearsal on the other; the rest spreads.
    The rehearsal mostly waits on Slurm, so the two overlap well on two cores."""
    for item in items:
        if "smoke_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("smoke"))
        elif item.path.name == "test_slurm.py":
            item.add_marker(pytest.mark.xdist_group("slurm"))
    # xdist hands out the two groups first (it orders work by tests per group) and then single tests in
    # this order: the pipeline tier's (up to a minute or more each) before the second-long unit tests, so
    # that no long test starts last on one worker while the other has nothing left to do.
    items.sort(key=lambda item: item.get_closest_marker("pipeline") is None)


@pytest.fixture(scope="session")
def hub_replica_dir(tmp_path_factory, tiny_pairs) -> Path:
    """A folder laid out file for file like Qwen/Qwen2.5-VL-7B-Instruct on the Hub, scaled down."""
    from egt.judging import TEMPLATES
    from egt.model_replica import build_qwen2_5_vl_replica

    path = tmp_path_factory.mktemp("hub") / "Qwen2.5-VL-7B-Instruct"
    texts = list(TEMPLATES.values()) * 10 + tiny_pairs["reasoning"].to_list() + tiny_pairs["question"].to_list()
    build_qwen2_5_vl_replica(path, texts)
    return path
