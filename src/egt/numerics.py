"""The numeric environment of a run: which CPU kernels compute it, and a record of them.

A CPU build of torch chooses its kernels from the machine it runs on: ATen's vectorised kernels by
the CPU's widest instruction set (``ATEN_CPU_CAPABILITY``: default, avx2, avx512), MKL's GEMM and
vector-math code path by the CPU and its vendor (``MKL_CBWR``), oneDNN's convolutions by the widest
ISA it finds (``ONEDNN_MAX_CPU_ISA``). Each choice sums in another order, so the same commit trains
other weights on another machine. Measured on an AMD EPYC (AVX2; ``performance/cpu_kernels.py``): the
default run's SFT weights change with ``ATEN_CPU_CAPABILITY=default`` and, separately, with
``MKL_CBWR=COMPATIBLE``, against the machine's own choice.

With ``numerics.cpu_kernels: portable`` (the default) every job of a run is pinned to
:data:`PORTABLE_CPU_KERNELS`: ATen's AVX2 kernels (the same compiled code on every CPU with AVX2 and
FMA, Intel or AMD), MKL's COMPATIBLE branch (Intel documents its AVX2 branch as reproducible on
Intel CPUs only: on other CPUs ``MKL_CBWR=AVX2`` falls back to the automatic choice; oneMKL
developer guide, "Getting Started with Conditional Numerical Reproducibility") and oneDNN's AVX2
kernels. The figures then depend on the code, the data, the library versions and each job's thread
count, not on the CPU's feature set. On a CPU without AVX2 ATen falls back to its scalar kernels
(other figures). ``native`` leaves every choice to the machine: faster (MKL's COMPATIBLE branch costs
the default run's SFT about 1.6× its time on the AMD EPYC), other figures on other CPUs.

Each job that imports torch writes :func:`numeric_environment` into its log; the manifest collects
them and ``egt.provenance.adopt`` names the differences from the machine adopting a copy. GPU runs
are not made bit-reproducible here (see docs/operations.md); ``egt.modeling.cheap_determinism``
sets the switches that cost nothing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

# Levels every x86-64 machine egt runs on has (AVX2), MKL's branch for Intel and AMD alike, and a
# fixed thread count inside MKL and OpenMP (Intel's reproducibility conditions ask for MKL_DYNAMIC
# and OMP_DYNAMIC off "especially if you are running your program on different systems").
PORTABLE_CPU_KERNELS = {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "COMPATIBLE",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "MKL_DYNAMIC": "FALSE",
    "OMP_DYNAMIC": "FALSE",
}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
# What must agree for two CPU runs to compute the same numbers (the CPU model need not, when pinned).
# Thread counts matter too, but they are set per job (cluster.cpus, --cores): recorded, not compared.
COMPARED = ("kernels", "torch", "mkl", "onednn", "capability")
LOG_PREFIX = "numerics: "


def pin_cpu_kernels(mode: str, environ: dict | None = None) -> dict[str, str]:
    """Pin the CPU kernels of this process's children (``mode`` "portable"), or leave them to the
    machine ("native"). A variable already set by the user is kept: the record says what was used."""
    environ = os.environ if environ is None else environ
    if mode == "portable":
        for name, value in PORTABLE_CPU_KERNELS.items():
            environ.setdefault(name, value)
    elif mode != "native":
        raise ValueError(f"numerics.cpu_kernels {mode!r} is not portable or native")
    return {name: environ[name] for name in PORTABLE_CPU_KERNELS if name in environ}


def cpu_description(cpuinfo: str | None = None) -> dict[str, str]:
    """The CPU model and its widest vector instruction set, from /proc/cpuinfo (Linux)."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        cpuinfo = path.read_text() if path.exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    flags = set((re.search(r"^flags\s*:\s*(.+)$", cpuinfo, re.M) or [None, ""])[1].split())
    isa = next((name for name in ("avx512f", "avx2", "avx", "sse4_2") if name in flags), "unknown")
    return {"cpu": model[1].strip() if model else "unknown", "cpu_isa": isa}


def _library_versions(config_text: str) -> dict[str, str | None]:
    mkl = re.search(r"Math Kernel Library Version ([\w.\-]+)", config_text)
    onednn = re.search(r"MKL-DNN v([\w.]+)", config_text)
    return {"mkl": mkl[1] if mkl else None, "onednn": onednn[1] if onednn else None}


def numeric_environment() -> dict:
    """What decides this process's numbers: the CPU, the kernel pins, and (where torch is loaded)
    torch's version, the ATen capability it uses, MKL and oneDNN versions and its thread count."""
    record = {
        **cpu_description(),
        "kernels": {name: os.environ.get(name) for name in PORTABLE_CPU_KERNELS},
        "thread_variables": {name: os.environ.get(name) for name in THREAD_VARIABLES},
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        record |= {
            "torch": torch.__version__,
            **_library_versions(torch.__config__.show()),
            "capability": torch.backends.cpu.get_cpu_capability(),
            "threads": torch.get_num_threads(),
        }
    return record


def log_line() -> str:
    return LOG_PREFIX + json.dumps(numeric_environment(), sort_keys=True)


def environments_in_logs(logs_dir: str | Path) -> list[dict]:
    """The distinct numeric environments the jobs of a run logged, each with the logs that name it
    (the last record of each log: a log is appended to across retries)."""
    by_environment: dict[str, list[str]] = {}
    logs_dir = Path(logs_dir)
    for log in sorted(logs_dir.rglob("*.log")) if logs_dir.is_dir() else []:
        lines = log.read_text(errors="replace").splitlines()
        records = [line.removeprefix(LOG_PREFIX) for line in lines if line.startswith(LOG_PREFIX)]
        if records:
            by_environment.setdefault(records[-1], []).append(str(log.relative_to(logs_dir)))
    return [{"environment": json.loads(env), "jobs": jobs} for env, jobs in by_environment.items()]


def differences(recorded: dict, here: dict) -> list[str]:
    """The keys that decide the numbers and differ between a recorded environment and this one."""
    out = [
        f"{key}: {recorded.get(key)!r} there, {here.get(key)!r} here"
        for key in COMPARED
        if key in recorded and recorded.get(key) != here.get(key)
    ]
    if recorded.get("cpu") != here.get("cpu"):
        pinned = recorded.get("kernels") == here.get("kernels") == PORTABLE_CPU_KERNELS
        note = " (kernels pinned alike: the same numbers are expected, checked only on one CPU model)" if pinned else ""
        out.append(f"cpu: {recorded.get('cpu')!r} there, {here.get('cpu')!r} here{note}")
    return out
