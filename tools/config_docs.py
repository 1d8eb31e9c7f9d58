"""Write config/README.md from the config schema (workflow/schemas/config.schema.yaml).

    python tools/config_docs.py            # rewrite config/README.md
    python tools/config_docs.py --stdout   # print it (the test compares the two)

The schema is the single source of truth for every key; this page is only its readable form.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"
README = REPO / "config/README.md"

HEADER = """# Configuration keys

Generated from `workflow/schemas/config.schema.yaml` by `python tools/config_docs.py`; edit the
schema, not this page. Snakemake validates every run against the schema before any job starts:
unknown keys, wrong types, out-of-range values and inconsistent pairs of keys stop it with the key
named. Defaults below are filled in when a config leaves a key out.

| file | what it is |
| --- | --- |
| `config.yaml` | the embedded default: the toy world and a tiny model (`make run`) |
| `smoke.yaml` | a smaller preset of the same pipeline, layered on the default (`make smoke`, the tests) |
| `paper.yaml` | the paper-scale reproduction: Qwen2.5-VL-7B, real datasets, GPUs through Slurm |
| `rehearsal.yaml` | the paper DAG with the tiny model and local replicas of the real data (layered on `paper.yaml`) |
| `ablation_trimmed.yaml` | the ablation trimmed to a working session on 2 cores (layered on the default) |
| `ablation_scorer.yaml` | the pool ranked by a scorer, not by the SFT model (layered after the trimmed one) |

Layer files with `--configfile`: later files override earlier ones key by key.
"""


def kind(node: dict) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    types = node.get("type", "object" if "properties" in node else "")
    if isinstance(types, list):
        return " or ".join(types)
    if types == "array":
        return f"list of {node.get('items', {}).get('type', 'values')}"
    return types


def describe(node: dict) -> str:
    text = " ".join((node.get("description") or "").split())
    bounds = [
        f"{name} {node[key]}"
        for key, name in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("multipleOf", "multiple of"))
        if key in node
    ]
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def rows(node: dict, prefix: str, required: set[str]):
    for key, child in node.get("properties", {}).items():
        name = f"{prefix}{key}"
        default = f"`{json.dumps(child['default'])}`" if "default" in child and child["default"] != {} else ""
        mark = "yes" if key in required else ""
        yield f"| `{name}` | {kind(child)} | {mark} | {default} | {describe(child)} |"
        yield from rows(child, f"{name}.", set(child.get("required", [])))
        extra = child.get("additionalProperties")
        if isinstance(extra, dict) and "properties" in extra:
            yield from rows(extra, f"{name}.<role>.", set(extra.get("required", [])))


def render() -> str:
    schema = yaml.safe_load(SCHEMA.read_text())
    lines = [HEADER, "| key | type | required | default | meaning |", "| --- | --- | :---: | --- | --- |"]
    lines += rows(schema, "", set(schema.get("required", [])))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stdout", action="store_true", help="print instead of writing config/README.md")
    text = render()
    if parser.parse_args().stdout:
        print(text, end="")
    else:
        README.write_text(text)
        print(f"wrote {README}")


if __name__ == "__main__":
    main()
