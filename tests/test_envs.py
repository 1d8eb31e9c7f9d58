"""The conda environments pin the same versions as the Python packaging."""

import re
import tomllib

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
    env_files = sorted((REPO / "envs").glob("*.yaml"))
    assert env_files
    for env_file in env_files:
        spec = yaml.safe_load(env_file.read_text())
        pip_section = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
        for name, version in pins(pip_section).items():
            assert name in project, f"{env_file.name}: {name} is not a dependency in pyproject.toml"
            assert project[name] == version, f"{env_file.name}: {name}=={version}, pyproject pins {project[name]}"
