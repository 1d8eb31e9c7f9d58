"""tools/gpu_smoke.py, the first script to run on a GPU host, runs on the CPU too, with only the
packages it names (polars and snakemake made unimportable), so it works before a GPU ever sees it."""

import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = pytest.mark.pipeline


# about 35-55 s of CPU: CI's 12-minute budget ran over with it (727 s at stop 30), so it runs in
# make test-slow: run it before taking the script to a GPU host
@pytest.mark.slow
def test_the_gpu_smoke_script_passes_on_cpu_without_polars_or_snakemake(tmp_path):
    shadow = tmp_path / "shadow"
    for name in ("polars", "snakemake"):
        (shadow / name).mkdir(parents=True)
        (shadow / name / "__init__.py").write_text(f"raise ImportError('{name} is not on the GPU host')\n")
    command = [sys.executable, str(REPO / "tools/gpu_smoke.py"), "--device", "cpu", "--width", "128"]
    command += ["--steps", "4", "--small-vocabulary", "--work", str(tmp_path / "work")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env={"PYTHONPATH": str(shadow),
                            "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert "gpu_smoke: all checks passed" in out
    assert "resumed from the complete checkpoint" in out and "sft step 4 |" in out and "grpo step 4 |" in out
