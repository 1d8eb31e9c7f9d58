"""The numeric environment: CPU kernels pinned for every job, recorded per job, compared on adoption."""

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

from egt.numerics import (
    PORTABLE_CPU_KERNELS,
    cpu_description,
    differences,
    environments_in_logs,
    log_line,
    pin_cpu_kernels,
)

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2
"""


def test_portable_pins_every_kernel_choice_and_keeps_what_the_user_set():
    environ = {"MKL_CBWR": "AVX2"}
    assert pin_cpu_kernels("portable", environ) == {**PORTABLE_CPU_KERNELS, "MKL_CBWR": "AVX2"}
    assert pin_cpu_kernels("native", {}) == {}
    with pytest.raises(ValueError, match="numerics.cpu_kernels 'fast'"):
        pin_cpu_kernels("fast", {})


def test_the_cpu_is_described_by_model_and_widest_vector_set():
    assert cpu_description(CPUINFO) == {"cpu": "AMD EPYC", "cpu_isa": "avx2"}
    assert cpu_description("flags : sse sse2 avx512f avx2\n") == {"cpu": "unknown", "cpu_isa": "avx512f"}


def probe(pins: dict) -> dict:
    """The numeric environment a fresh process reports with ``pins`` (and no other pin) set."""
    code = "import torch; from egt.numerics import log_line; print(log_line())"
    env = {k: v for k, v in os.environ.items() if k not in PORTABLE_CPU_KERNELS}
    env |= {**pins, "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().removeprefix("numerics: "))


def test_a_job_under_the_pins_uses_the_pinned_kernels_whatever_the_cpu():
    """torch reads the pins when it loads: the pinned capability is used and recorded, and a CPU's own
    choice (here whatever this machine offers) is what ``native`` would record instead."""
    pinned = probe(pin_cpu_kernels("portable", {}))
    assert pinned["capability"] == PORTABLE_CPU_KERNELS["ATEN_CPU_CAPABILITY"].upper()
    assert pinned["kernels"] == PORTABLE_CPU_KERNELS and pinned["torch"] and pinned["threads"] >= 1
    native = probe(pin_cpu_kernels("native", {}))
    assert native["kernels"] == dict.fromkeys(PORTABLE_CPU_KERNELS) and native["capability"]


def test_environments_are_read_from_job_logs_and_compared(tmp_path):
    here = json.loads(log_line().removeprefix("numerics: "))
    other = {**here, "capability": "AVX512", "cpu": "Intel Xeon", "kernels": {"MKL_CBWR": "AVX512"}}
    (tmp_path / "sft").mkdir()
    (tmp_path / "sft/sft.log").write_text(f"=== start ===\nnumerics: {json.dumps(other)}\nloss 1.0\n")
    (tmp_path / "grpo.log").write_text(f"numerics: {json.dumps(other)}\nnumerics: {json.dumps(here)}\n")  # a retry
    (tmp_path / "summary.log").write_text("summary: no torch here\n")
    found = environments_in_logs(tmp_path)
    assert sorted(tuple(e["jobs"]) for e in found) == [("grpo.log",), ("sft/sft.log",)]
    sft = next(e["environment"] for e in found if e["jobs"] == ["sft/sft.log"])
    lines = differences(sft, here)
    assert any(line.startswith("kernels:") for line in lines) and any(
        line.startswith("cpu: 'Intel Xeon'") for line in lines
    )
    assert differences(here, here) == []
    same_pins = {**here, "cpu": "Intel Xeon", "kernels": PORTABLE_CPU_KERNELS}
    assert differences(same_pins, {**here, "kernels": PORTABLE_CPU_KERNELS}) == [
        f"cpu: 'Intel Xeon' there, {here['cpu']!r} here (kernels pinned alike: the same numbers are expected, "
        "checked only on one CPU model)"
    ]


def test_loading_a_model_sets_the_cheap_gpu_determinism_switches(tiny_model_dir):
    import torch

    from egt.modeling import load_model

    torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = True, False
    load_model(str(tiny_model_dir))
    assert torch.backends.cudnn.benchmark is False and torch.backends.cudnn.deterministic is True
