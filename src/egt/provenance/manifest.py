"""results/<run>/manifest.json: what produced a results folder, enough to hand it on safely.

It records the config, the code (git commit, and a content digest of every rule's script and the
egt modules it imports), package versions, the sha256 of every output, Snakemake's own record
of each job (rule, inputs, params), and the numeric environment each torch job logged (CPU, kernel
pins, library versions, threads: ``egt.numerics``). ``egt.provenance.adopt`` checks a copied folder against it and
adopts exactly what is still valid.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
from base64 import urlsafe_b64decode
from importlib import metadata
from pathlib import Path

from egt.numerics import environments_in_logs
from egt.provenance.code import script_digest
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


def snakemake_records(results_dir: str | Path, metadata_dir: str | Path = ".snakemake/metadata") -> dict[str, dict]:
    """Snakemake's metadata record of every declared output under ``results_dir`` (file backend of
    the pinned Snakemake: one JSON file per output, named by the url-safe base64 of its path)."""
    prefix = str(results_dir).rstrip("/") + "/"
    records = {}
    for path in sorted(Path(metadata_dir).glob("*")) if Path(metadata_dir).is_dir() else []:
        try:
            target = urlsafe_b64decode(path.name).decode()
        except ValueError:
            continue
        relative = target.removeprefix(prefix)
        if target.startswith(prefix) and relative.split("/")[0] not in NOT_HASHED:
            record = json.loads(path.read_text())
            record.pop("conda_env", None)  # the env file's full text; software_stack_hash stands for it
            records[target] = record
    return records


def rule_code_digests(records: dict[str, dict], workflow_dir: Path) -> dict[str, str]:
    """Content digest of each recorded rule's script and its egt imports (see egt.provenance.code)."""
    digests = {}
    for record in records.values():
        script = re.search(r'"([^"]+\.py)"', record.get("code") or "")
        if script and record["rule"] not in digests:
            digests[record["rule"]] = script_digest((workflow_dir / script[1]).resolve(), workflow_dir.parent)
    return digests


def build_manifest(
    config: dict, results_dir: str | Path, exclude: set[str], repo: str | Path = ".", metadata_dir=".snakemake/metadata"
) -> dict:
    records = snakemake_records(results_dir, metadata_dir)
    return {
        "format": 2,
        "run": config.get("run"),
        "git_commit": git_commit(repo),
        "packages": package_versions(),
        "config": config,
        "code": rule_code_digests(records, Path(repo).resolve() / "workflow"),
        "outputs": output_checksums(results_dir, exclude),
        "records": records,
        # what decided the numbers of each job that used torch (egt.numerics), read from the logs
        "numerics": environments_in_logs(Path(results_dir) / "logs"),
    }
