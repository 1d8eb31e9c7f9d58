"""results/manifest.json: what produced a results/ folder, and a checksum of every output."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from egt.provenance.fingerprint import sha256_file

PACKAGES = [
    "egt",
    "torch",
    "transformers",
    "trl",
    "datasets",
    "accelerate",
    "tokenizers",
    "polars",
    "snakemake",
    "pyyaml",
    "pillow",
    "numpy",
    "matplotlib",
]
# Logs and per-job timings change on every run and are not results; checkpoints are transient.
NOT_HASHED = ("logs", "benchmarks", "checkpoints")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(repo: str | Path = ".") -> str | None:
    """The commit of the code, with "-dirty" when tracked files differ from it; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "diff", "--quiet", "HEAD"], capture_output=True).returncode
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("-dirty" if dirty else "")


def output_checksums(results_dir: str | Path, exclude: set[str]) -> dict[str, str]:
    """sha256 of every file under ``results_dir`` (paths relative to its parent), sorted."""
    results_dir = Path(results_dir)
    checksums = {}
    for path in sorted(p for p in results_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(results_dir)
        if relative.parts[0] in NOT_HASHED or str(path) in exclude or path.name.startswith("."):
            continue
        checksums[str(path)] = sha256_file(path)
    return checksums


def build_manifest(config: dict, results_dir: str | Path, exclude: set[str], repo: str | Path = ".") -> dict:
    return {
        "git_commit": git_commit(repo),
        "packages": package_versions(),
        "config": config,
        "outputs": output_checksums(results_dir, exclude),
    }
