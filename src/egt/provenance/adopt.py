"""Adopt a copied results folder: keep exactly what is still valid for this checkout and config.

A results folder copied from elsewhere (a cluster run pulled to a laptop, a colleague's run) holds
``results/<run>/manifest.json`` (see ``egt.provenance.manifest``). :func:`adopt`

1. checks every file listed against its sha256 and lists files that are missing, altered or not
   in the manifest;
2. compares the manifest's config (key by key) and code (git commit; each rule's content digest)
   with the checkout's;
3. restores Snakemake's record of each intact job, then asks Snakemake itself which jobs' params or
   inputs differ under the current config (``--list-changes``);
4. sets aside the outputs of every job that is damaged, made with other params, inputs or rule
   code, and of everything downstream of those, into ``results/<run>.not-adopted/``;
5. marks the rest as current (``snakemake --touch``), so the next run starts exactly at the first
   difference. A file whose bytes differ from the manifest is never adopted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from pathlib import Path

from egt.config import load_config
from egt.numerics import LOG_PREFIX, differences, pin_cpu_kernels
from egt.provenance.fingerprint import sha256_file
from egt.provenance.manifest import NOT_HASHED, git_commit, rule_code_digests


class AdoptionError(RuntimeError):
    pass


@dataclass
class Report:
    run: str
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    config_changes: list[tuple[str, object, object]] = field(default_factory=list)
    commit: tuple[str | None, str | None] = (None, None)
    code_changes: list[str] = field(default_factory=list)
    params_changes: list[str] = field(default_factory=list)
    numeric_changes: list[str] = field(default_factory=list)
    input_changes: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"adopting results/{self.run}: {len(self.adopted)} outputs adopted, {len(self.set_aside)} set aside"]
        out += [f"  missing: {p}" for p in self.missing]
        out += [f"  altered (sha256 differs from the manifest; never adopted): {p}" for p in self.altered]
        out += [f"  not in the manifest (left alone): {p}" for p in self.unlisted]
        out += [f"  config {key}: {old!r} in the copy, {new!r} here" for key, old, new in self.config_changes]
        if self.commit[0] != self.commit[1]:
            out.append(f"  code: copy made at commit {self.commit[0]}, checkout at {self.commit[1]}")
        out += [
            f"  code of rule {rule} differs (its script or the egt modules it imports)" for rule in self.code_changes
        ]
        out += [f"  numeric environment {line}" for line in self.numeric_changes]
        out += [f"  made with other params: {p}" for p in self.params_changes]
        out += [f"  made from other inputs: {p}" for p in self.input_changes]
        return out


def flatten(config: dict, prefix: str = "") -> dict[str, object]:
    out = {}
    for key, value in config.items():
        if isinstance(value, dict) and value:
            out |= flatten(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
    return out


def configfile_args(configfiles: list[str]) -> list[str]:
    """Snakemake's ``--configfile`` arguments: none for the default config (an empty ``--configfile``
    is an error), and last on a command line, since it takes every path after it."""
    return ["--configfile", *configfiles] if configfiles else []


def _snakemake(repo: Path, workdir: Path, configfiles: list[str], *args: str) -> str:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(repo / "Snakefile"), "--directory", str(workdir)]
    command += [*args, *configfile_args(configfiles)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise AdoptionError(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def _owner(path: str, records: dict[str, dict]) -> str | None:
    """The declared output (file or directory) that ``path`` belongs to."""
    while path and path not in records:
        path = path.rpartition("/")[0]
    return path or None


def adopt(workdir: str | Path, configfiles: list[str], repo: str | Path) -> Report:
    workdir, repo = Path(workdir).resolve(), Path(repo).resolve()
    config = load_config(*configfiles)
    run = config["run"]
    results = Path("results") / run
    manifest_path = workdir / results / "manifest.json"
    if not manifest_path.is_file():
        raise AdoptionError(f"{manifest_path}: no manifest; only a results folder written by egt can be adopted")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != 2:
        raise AdoptionError(f"{manifest_path}: manifest format {manifest.get('format')}, this egt reads format 2")
    records: dict[str, dict] = manifest["records"]
    report = Report(run=run, commit=(manifest["git_commit"], git_commit(repo)))

    # 1. bytes
    for relative, digest in manifest["outputs"].items():
        path = workdir / relative
        if not path.is_file():
            report.missing.append(relative)
        elif sha256_file(path) != digest:
            report.altered.append(relative)
    listed = set(manifest["outputs"]) | {str(results / "manifest.json")}
    for path in sorted(p for p in (workdir / results).rglob("*") if p.is_file()):
        relative = str(path.relative_to(workdir))
        inside = path.relative_to(workdir / results).parts
        if relative not in listed and inside[0] not in NOT_HASHED and not path.name.startswith("."):
            report.unlisted.append(relative)

    # 2. config and code
    old, new = flatten(manifest["config"]), flatten(config)
    report.config_changes = [
        (k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    ]
    report.numeric_changes = numeric_changes(manifest.get("numerics", []), config, repo)
    here = rule_code_digests(records, repo / "workflow")
    report.code_changes = sorted(rule for rule, digest in manifest["code"].items() if here.get(rule) != digest)

    # jobs: outputs sharing a rule and job hash
    job_of = {target: (r["rule"], r.get("job_hash")) for target, r in records.items()}
    damaged = {job_of[o] for p in report.missing + report.altered if (o := _owner(p, records))}
    damaged |= {job for job in job_of.values() if job[0] in report.code_changes}
    damaged = _downstream(damaged, records, job_of)
    stash = workdir / "results" / f"{run}.not-adopted" / time.strftime("%Y%m%d-%H%M%S")
    report.set_aside = _set_aside(workdir, [t for t in records if job_of[t] in damaged], stash)

    # 3. Snakemake's own judgement of params and inputs, on the restored records of what is left.
    # mtime and code triggers are off: a fresh checkout's scripts are all newer than any copy.
    metadata = workdir / ".snakemake/metadata"
    metadata.mkdir(parents=True, exist_ok=True)
    for target, record in records.items():
        if job_of[target] not in damaged:
            (metadata / _record_name(target)).write_text(json.dumps(record))
    plan = _snakemake(repo, workdir, configfiles, "-n", "--rerun-triggers", "params", "input")
    planned = _planned_outputs(plan)
    report.params_changes = sorted(o for o, reason in planned.items() if "Params have changed" in reason)
    report.input_changes = sorted(o for o, reason in planned.items() if "Set of input files has changed" in reason)
    # what Snakemake would redo (a changed job and everything downstream of it) is not adopted
    report.set_aside += _set_aside(workdir, [t for t in planned if t in records or t.endswith("manifest.json")], stash)
    for target in report.set_aside:
        (metadata / _record_name(target)).unlink(missing_ok=True)

    # 4. what remains is current: record it as such (upstream first, so mtimes are in order)
    keep = [t for t in records if (workdir / t).exists() and t not in report.set_aside]
    if keep:
        manifest_target = [str(results / "manifest.json")] if (workdir / results / "manifest.json").exists() else []
        _snakemake(repo, workdir, configfiles, "--touch", "--forceall", "--cores", "1", *keep, *manifest_target)
    report.adopted = keep
    return report


def local_numeric_environment(config: dict, repo: Path) -> dict:
    """The numeric environment this machine gives a job of ``config`` (kernels pinned as the run
    pins them), measured in a fresh process so that the pins apply before torch loads."""
    environ = dict(os.environ)
    pin_cpu_kernels(config["numerics"]["cpu_kernels"], environ)
    environ["PYTHONPATH"] = os.pathsep.join([str(repo / "src"), environ.get("PYTHONPATH", "")])
    probe = "import torch; from egt.numerics import log_line; print(log_line())"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environ)
    line = next((x for x in result.stdout.splitlines() if x.startswith(LOG_PREFIX)), None)
    return json.loads(line.removeprefix(LOG_PREFIX)) if line else {}


def numeric_changes(recorded: list[dict], config: dict, repo: Path) -> list[str]:
    """One line per recorded numeric environment that differs from this machine's (thread counts,
    set per job, are recorded but not compared)."""
    if not recorded:
        return []
    here = local_numeric_environment(config, repo)
    out = []
    for entry in recorded:
        found = differences(entry["environment"], here)
        if found:
            named, more = entry["jobs"][:4], len(entry["jobs"]) - 4
            jobs = ", ".join(named) + (f" and {more} more" if more > 0 else "")
            out.append(f"of {jobs}: {'; '.join(found)}. Adopted, but a stage rerun here may give other numbers")
    return out


def _downstream(jobs: set, records: dict[str, dict], job_of: dict) -> set:
    """``jobs`` and every job that reads, directly or not, an output of one of them."""
    reads = {job: set() for job in job_of.values()}
    for target, record in records.items():
        for source in record.get("input") or []:
            if (owner := _owner(source, records)) is not None:
                reads[job_of[target]].add(job_of[owner])
    closed, grew = set(jobs), True
    while grew:
        grew = False
        for job, upstream in reads.items():
            if job not in closed and upstream & closed:
                closed.add(job)
                grew = True
    return closed


def _record_name(target: str) -> str:
    return urlsafe_b64encode(target.encode()).decode()


def _set_aside(workdir: Path, targets: list[str], stash: Path) -> list[str]:
    moved = []
    for target in sorted(set(targets)):
        if (workdir / target).exists():
            (stash / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(workdir / target), str(stash / target))
            moved.append(target)
    return moved


def _planned_outputs(dry_run: str) -> dict[str, str]:
    """output path -> Snakemake's reason, for every job a dry run plans."""
    planned = {}
    for block in dry_run.split("\nrule ")[1:]:
        outputs = re.search(r"^\s+output: (.+)$", block, re.M)
        reason = re.search(r"^\s+reason: (.+)$", block, re.M)
        for output in outputs[1].split(", ") if outputs else []:
            planned[output.strip()] = reason[1] if reason else ""
    return planned
