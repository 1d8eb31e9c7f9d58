"""What pinning the CPU kernels costs, and what it changes: the default run's first training phase
under each kernel setting, side by side.

    python performance/cpu_kernels.py [--repeats 2] [--cores 2]

In one scratch working directory, the default config's data is made once; then, for each setting in
turn (interleaved, ``--repeats`` rounds), the base model and the SFT model are rebuilt
(``--forcerun base_model``) under

- ``native``: ``numerics.cpu_kernels: native``, the machine chooses (what egt did before);
- ``portable``: egt's default pins (``egt.numerics.PORTABLE_CPU_KERNELS``);
- ``avx2``: ATen, MKL and oneDNN pinned to AVX2 instead.

It prints, per setting, the median SFT wall time (Snakemake's benchmark file), its ratio to native,
and the sha256 of the base and SFT weights: equal across rounds means bitwise repeatable; equal across
settings means that setting changes nothing on this CPU.
"""

import argparse
import csv
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from egt.numerics import PORTABLE_CPU_KERNELS  # noqa: E402

SETTINGS = {  # environment, and whether numerics.cpu_kernels is native
    "native": ({}, True),
    "portable": ({}, False),
    "avx2": ({"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}, False),
    "aten_default_only": ({"ATEN_CPU_CAPABILITY": "default"}, True),
    "mkl_compatible_only": ({"MKL_CBWR": "COMPATIBLE"}, True),
}
PINS = tuple(PORTABLE_CPU_KERNELS)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def snakemake(workdir: Path, cores: int, env: dict, native: bool, *args: str) -> None:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir)]
    command += ["--cores", str(cores)]
    if native:
        (workdir / "native.yaml").write_text("numerics: {cpu_kernels: native}\n")
        command += ["--configfile", str(workdir / "native.yaml")]
    command += args
    environ = {k: v for k, v in os.environ.items() if k not in PINS} | env
    subprocess.run(command, check=True, env=environ, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    args = parser.parse_args()
    results: dict[str, list[tuple[float, str, str]]] = {name: [] for name in args.settings}
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        snakemake(workdir, args.cores, {}, False, "results/toy/data/sft.valid.parquet")
        for round_ in range(args.repeats):
            for name in args.settings:
                env, native = SETTINGS[name]
                snakemake(workdir, args.cores, env, native, "--forcerun", "base_model", "--", "results/toy/sft/model")
                run = workdir / "results/toy"
                with open(run / "benchmarks/sft/sft.tsv") as table:
                    seconds = float(next(csv.DictReader(table, delimiter="\t"))["s"])
                base = sha(run / "models/base/model.safetensors")
                sft = sha(run / "sft/model/model.safetensors")
                results[name].append((seconds, base, sft))
                print(f"round {round_ + 1}, {name}: SFT {seconds:.1f} s, base {base}, sft {sft}", flush=True)
    native = statistics.median(s for s, _, _ in results["native"]) if "native" in results else float("nan")
    print(f"\n{'setting':<10} {'SFT median (s)':>15} {'vs native':>10}  base weights        SFT weights")
    for name, runs in results.items():
        median = statistics.median(s for s, _, _ in runs)
        bases, sfts = {b for _, b, _ in runs}, {f for _, _, f in runs}
        base = bases.pop() if len(bases) == 1 else "differ across rounds"
        sft = sfts.pop() if len(sfts) == 1 else "differ across rounds"
        print(f"{name:<10} {median:>15.1f} {median / native:>9.2f}x  {base:<19} {sft}")


if __name__ == "__main__":
    main()
