import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def snakemake(*args, workdir: Path, check: bool = True, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run the real snakemake command line on this repository's Snakefile."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """One real run of the smoke preset, shared by the pipeline tests."""
    workdir = tmp_path_factory.mktemp("smoke")
    snakemake("--cores", "2", "--configfile", str(REPO / "config/smoke.yaml"), workdir=workdir)
    return workdir
