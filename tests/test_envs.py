"""The conda environments pin the same versions as the Python packaging."""

import re
import tomllib

import pytest
import yaml
from conftest import REPO


def pins(requirements) -> dict[str, str]:
    out = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s;]+)", requirement.strip())
        assert match, f"not an exact pin: {requirement!r}"
        out[match[1].lower()] = match[2]
    return out


def test_every_env_pin_agrees_with_pyproject():
    project = pins(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    # vLLM pins its own torch; its environment is documented as separate (envs/vllm.yaml)
    env_files = sorted(p for p in (REPO / "envs").glob("*.yaml") if p.name != "vllm.yaml")
    assert env_files
    for env_file in env_files:
        spec = yaml.safe_load(env_file.read_text())
        pip_section = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
        for name, version in pins(pip_section).items():
            assert name in project, f"{env_file.name}: {name} is not a dependency in pyproject.toml"
            assert project[name] == version, f"{env_file.name}: {name}=={version}, pyproject pins {project[name]}"


@pytest.mark.pipeline
def test_every_rule_has_a_conda_environment_that_exists(tmp_path):
    from conftest import snakemake

    lint = snakemake("--lint", workdir=tmp_path, check=False, timeout=300)
    assert "conda environment" not in lint.stdout + lint.stderr
    for smk in (REPO / "workflow").glob("*.smk"):
        for env in re.findall(r'"\.\./(envs/[\w.]+\.yaml)"', smk.read_text()):
            assert (REPO / env).exists(), (smk.name, env)
