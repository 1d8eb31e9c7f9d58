"""The committed reference figures (reference/<run>.json) are reproduced: the same commit, with the
CPU kernels pinned (egt.numerics), trains the same SFT weights, byte for byte, and gives the same
figures. Both references were made on the machine their file names (an AMD EPYC, 2 cores)."""

import json
import subprocess
import sys

import pytest
from conftest import REPO, snakemake

pytestmark = pytest.mark.pipeline


def check(run: str, workdir) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO / "tools/check_reference.py"), "--run", run, "--directory", str(workdir)]
    return subprocess.run(command, capture_output=True, text=True)


def test_the_smoke_run_reproduces_its_reference(smoke_run):
    result = check("smoke", smoke_run)
    assert result.returncode == 0, result.stdout + result.stderr
    reference = json.loads((REPO / "reference/smoke.json").read_text())["figures"]
    assert f"{len(reference)} figures match, 0 differ" in result.stdout
    assert {"base_weights_sha256", "sft_weights_sha256", "evaluation.final.benchmark_toy.accuracy"} <= set(reference)
    assert "toy_world.noise.auroc_entropy" in reference


def test_the_default_run_reproduces_its_reference_base_model(tmp_path):
    """The default run's first model, in seconds: its random initialisation already depends on the
    CPU kernels (ATen's vectorised normal sampling), so another machine's pins show here first."""
    snakemake("--cores", "2", "results/toy/models/base", workdir=tmp_path)
    result = check("toy", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 figures match, 0 differ" in result.stdout


@pytest.mark.reference
def test_the_default_run_reproduces_its_reference_sft_model(tmp_path):
    """The default run up to the SFT model's evaluation on the toy benchmark (about 4 minutes on 2
    cores, so `make test-reference` runs it, not `make test`): the weights' sha256 of the base and SFT
    models and the SFT model's benchmark figures, as the README quotes them. The rest of the default
    run (rollouts, GRPO) is compared by `python tools/check_reference.py` after `make run`."""
    snakemake("--cores", "2", "results/toy/evaluation/sft/benchmark_toy.json", workdir=tmp_path)
    result = check("toy", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 figures match, 0 differ" in result.stdout  # two sets of weights and five benchmark figures
