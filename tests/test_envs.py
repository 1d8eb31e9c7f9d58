"""The per-rule conda environments: pinned like the Python packaging, and each holding every package
that its rules' scripts import (through egt, transitively)."""

import re
import subprocess
import sys
import tomllib
import venv
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from egt.provenance.code import import_closure, imported_modules

# import name -> distribution, where they differ
DISTRIBUTIONS = {"PIL": "pillow", "yaml": "pyyaml", "huggingface_hub": "huggingface-hub", "pyarrow": "pyarrow"}
# provided by Snakemake itself in every job (its preamble puts its own path on sys.path)
PROVIDED = {"snakemake"}


def pins(requirements) -> dict[str, str]:
    out = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", requirement.strip())
        assert match, f"not an exact pin: {requirement!r}"
        out[match[1].lower()] = match[2]
    return out


def env_pins(env_file: Path) -> dict[str, str]:
    spec = yaml.safe_load(env_file.read_text())
    return pins(next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d))


def rules_by_env() -> dict[str, set[str]]:
    """env file -> the scripts of the rules that name it (a `use rule` runs its parent's script)."""
    out: dict[str, set[str]] = {}
    for smk in sorted((REPO / "workflow").glob("*.smk")):
        for block in re.split(r"\n(?=\S)", smk.read_text()):
            envs = re.findall(r'"\.\./envs/([\w.]+\.yaml)"', block)
            script = re.search(r'script:\s*\n\s*"\.\./scripts/([\w.]+\.py)"', block)
            if script:
                for env in envs:
                    out.setdefault(env, set()).add(script[1])
    return out


def third_party_closure(script: str, skip_optional=("vllm",)) -> set[str]:
    """Top-level third-party modules a script needs, through its egt imports."""
    _, third_party = import_closure(REPO / "scripts" / script)
    return third_party - PROVIDED - set(skip_optional)


def requirement_closure(distributions: set[str]) -> set[str]:
    """The distributions and everything they require, as installed here."""
    out, todo = set(), list(distributions)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in out:
            continue
        out.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0] for r in requires if "extra ==" not in r]
    return out


def test_every_env_pin_agrees_with_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pinned = pins(project["dependencies"]) | pins(project["optional-dependencies"]["cluster"])
    # envs/vllm.yaml adds vllm, and mistral-common (a vllm requirement) caps numpy below pyproject's 2.4
    own = {"vllm.yaml": {"vllm", "numpy"}}
    for env_file in sorted((REPO / "envs").glob("*.yaml")):
        for name, version in env_pins(env_file).items():
            if name not in own.get(env_file.name, set()):
                expected = pinned.get(name)
                assert expected == version, f"{env_file.name}: {name}=={version}, pyproject pins {expected}"


@pytest.mark.parametrize("env", ["data.yaml", "training.yaml", "vllm.yaml"])
def test_each_env_holds_what_its_rules_import(env):
    scripts = rules_by_env()[env]
    assert scripts, f"no rule runs in envs/{env}"
    available = requirement_closure(set(env_pins(REPO / "envs" / env)))
    missing = {}
    for script in scripts:
        needed = {DISTRIBUTIONS.get(m, m).lower().replace("_", "-") for m in third_party_closure(script)}
        if needed - available:
            missing[script] = sorted(needed - available)
    assert not missing, f"envs/{env} lacks what these scripts import: {missing}"


def test_the_rules_use_exactly_these_envs():
    assert set(rules_by_env()) == {"data.yaml", "training.yaml", "vllm.yaml"}
    # each rule group with an engine switch: rollouts, GRPO, evaluation (their vLLM paths)
    assert rules_by_env()["vllm.yaml"] == {"rollout.py", "grpo_stage.py", "evaluate.py"}


@pytest.mark.pipeline
# 30 s building a venv, no room in CI's 12 minutes; test_each_env_holds_what_its_rules_import checks it statically
@pytest.mark.slow
def test_data_env_built_for_real_imports_its_scripts_modules(tmp_path):
    """The data environment's pip dependencies installed into a fresh venv (no egt, no torch): every
    module its rules' scripts import loads, with egt found the way a rule finds it (scripts/egt)."""
    target = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin/python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + [f"{n}=={v}" for n, v in env_pins(REPO / "envs/data.yaml").items()], check=True)
    modules = sorted(
        {m for s in rules_by_env()["data.yaml"] for m in imported_modules(REPO / "scripts" / s) if m.startswith("egt.")}
    )
    importable = [m for m in modules if (REPO / "src" / Path(*m.split("."))).with_suffix(".py").is_file()]
    code = "import sys; sys.path.append(sys.argv[1])\n" + "\n".join(f"import {m}" for m in importable)
    result = subprocess.run([str(python), "-c", code, str(REPO / "scripts")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "torch" not in subprocess.run([str(python), "-m", "pip", "list"], capture_output=True, text=True).stdout


@pytest.mark.pipeline
def test_the_vllm_env_resolves_against_the_real_index(tmp_path):
    """envs/vllm.yaml's pins, resolved by uv for the GPU nodes' platform (metadata only, nothing
    installed): a pin vLLM forbids (transformers 5.24 against its <5.21, numpy 2.4 against
    mistral-common's <2.4) fails here rather than on the cluster. Skipped where no index answers."""
    import shutil

    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    requirements = tmp_path / "vllm.txt"
    requirements.write_text("".join(f"{n}=={v}\n" for n, v in env_pins(REPO / "envs/vllm.yaml").items()))
    command = [uv, "pip", "compile", str(requirements), "--python-version", "3.11"]
    command += ["--python-platform", "x86_64-manylinux_2_28", "--no-header", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and ("Failed to fetch" in result.stderr or "dns error" in result.stderr.lower()):
        pytest.skip(f"no package index reachable: {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr[-3000:]
    resolved = pins(line for line in result.stdout.splitlines() if "==" in line and not line.startswith(" "))
    wanted = env_pins(REPO / "envs/vllm.yaml")
    assert all(resolved[name] == wanted[name] for name in ("vllm", "torch", "transformers", "trl", "deepspeed"))


def test_the_vllm_env_pins_a_vllm_that_trl_supports():
    """TRL's GRPO warns outside the vLLM releases it supports and its colocate code follows their API; the
    range is read from the installed TRL's own check (trl/import_utils.py, is_vllm_available)."""
    from packaging.version import Version

    source = (Path(metadata.distribution("trl").locate_file("trl/import_utils.py"))).read_text()
    low, high = re.search(r'Version\("([\d.]+)"\) <= _vllm_base_version <= Version\("([\d.]+)"\)', source).groups()
    assert Version(low) <= Version(env_pins(REPO / "envs/vllm.yaml")["vllm"]) <= Version(high)
