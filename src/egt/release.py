"""results/<run>/reward_model/: the final model as a folder to use, serve or upload as it is.

The final GRPO stage's model files (weights hard-linked where the file system allows, everything
else copied; hidden files such as Snakemake's ``.snakemake_timestamp`` left out), its
judging settings (``egt_judge.json``) and a model card (``README.md``) in the Hugging Face Hub's
format: a YAML metadata block (license, base model, datasets, tags), then what the model is, its
benchmark figures under both protocols (from ``summary.json``), how it judges (the template), how to
use it (Python, the ``egt`` command, ``vllm serve``) and the training configuration.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from egt.benchmarks import official_headline
from egt.judging import TEMPLATES, read_judge_settings

LICENSE = "apache-2.0"  # egt's own; a released model also inherits its base model's terms
TRAINING_KEYS = ("seed", "model", "sft", "rollout", "entropy", "curation", "curriculum", "grpo", "evaluation")


WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt")


def link_or_copy(source: Path, target: Path) -> None:
    """Weights as a hard link (no second copy of a 16 GB model), other files as copies.

    A hard link shares its inode, so anything that touches the link touches the source: the small
    files are copied so that only the weights (never rewritten in place) are shared.
    """
    if not source.name.endswith(WEIGHT_SUFFIXES):
        shutil.copy2(source, target)
        return
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)


def card_metadata(config: dict) -> dict:
    base = config["model"]["base"]
    datasets = [spec["repo_id"] for spec in config["data"].get("datasets", {}).values() if "repo_id" in spec]
    meta = {"license": LICENSE, "library_name": "transformers", "pipeline_tag": "image-text-to-text"}
    if base != "tiny":
        meta["base_model"] = base
    if datasets:
        meta["datasets"] = sorted(set(datasets))
    meta["tags"] = ["reward-model", "generative-reward-model", "multimodal", "egt", "entropy-guided-training"]
    return meta


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def model_card(config: dict, summary: dict, settings: dict, commit: str | None, folder_name: str) -> str:
    """The model card's text (``README.md``)."""
    base = config["model"]["base"]
    family = config["model"].get("tiny", {}).get("family", "qwen2_5_vl")
    base_text = f"a tiny model of egt's `{family}` family, built offline by egt" if base == "tiny" else f"`{base}`"
    rows = []
    for dataset, m in summary.get("evaluation", {}).get("final", {}).items():
        official = official_headline(m["official"]) if "official" in m else "n/a"
        rows.append(
            f"| {dataset} | {_fmt(m.get('accuracy'))} | {_fmt(m.get('accuracy_both_orders'))} "
            f"| {_fmt(m.get('position_consistency'))} | {official} |"
        )
    sft = summary.get("evaluation", {}).get("sft", {})
    sft_line = ", ".join(f"{d} {_fmt(m.get('accuracy'))}" for d, m in sft.items())
    training = {key: config[key] for key in TRAINING_KEYS if key in config}
    lines = [
        "---",
        yaml.safe_dump(card_metadata(config), sort_keys=False).strip(),
        "---",
        "",
        f"# {config['run']}: a multimodal reasoning reward model trained with egt",
        "",
        "It reads an image, a question and two candidate responses, reasons in `<think>…</think>` and names",
        "the better response in `<answer>1|2</answer>`. Trained by [egt](https://arxiv.org/abs/2602.01884)'s",
        f"Entropy-Guided Training from {base_text}: SFT on reasoning traces, entropy-guided curation of the",
        f"preference pool, then GRPO over a low-to-high entropy curriculum (egt commit `{commit or 'unknown'}`).",
        "",
        "## Evaluation",
        "",
        "egt's metrics judge every pair greedily in both presentation orders (a position habit scores 50 %);",
        "the official protocol shows the preferred response first and scores with each benchmark's own",
        "scorer (the numbers to set beside published tables).",
        "",
        "| benchmark | accuracy (both orders) | right in both orders | position consistency | official protocol |",
        "| --- | ---: | ---: | ---: | --- |",
        *rows,
        "",
        f"The SFT model it started from: {sft_line or 'n/a'}.",
        "",
        "## How it judges",
        "",
        f"Greedy decoding, at most {settings['max_new_tokens']} new tokens, the image first, then this prompt",
        f"(template `{settings['template']}`; `egt_judge.json` holds these settings):",
        "",
        "```text",
        TEMPLATES[settings["template"]],
        "```",
        "",
        "## Usage",
        "",
        "```python",
        "from egt.reward_model import RewardModel",
        f'rm = RewardModel.load("{folder_name}")',
        'verdict = rm.judge("image.png", "What colour is the shape?", "It is red.", "It is blue.")',
        "print(verdict.preferred, verdict.probability, verdict.consistent)",
        "```",
        "",
        "```bash",
        f"egt judge --model {folder_name} --pairs pairs.jsonl --out judged.jsonl",
        f"vllm serve {folder_name} --served-model-name egt   # then: egt judge --server http://127.0.0.1:8000/v1 …",
        "```",
        "",
        "`verdict.probability` is the probability that response 1 is the better one: the model's",
        'probabilities of answering "1" and "2" after its own reasoning, renormalised over the two and',
        "averaged over both presentation orders.",
        "",
        "## Training configuration",
        "",
        "```yaml",
        yaml.safe_dump(training, sort_keys=False).strip(),
        "```",
        "",
    ]
    return "\n".join(lines)


def write_release(final_model: str | Path, summary: dict, config: dict, commit: str | None, out: str | Path) -> Path:
    """The release folder: the final model's files, its judging settings and the model card."""
    final_model, out = Path(final_model), Path(out)
    settings = read_judge_settings(final_model)
    out.mkdir(parents=True, exist_ok=True)
    for source in sorted(final_model.iterdir()):
        # Hidden files are bookkeeping (Snakemake's directory timestamp: linked, touching the release
        # would mark the final model as updated and rerun its evaluation).
        if source.is_file() and source.name != "README.md" and not source.name.startswith("."):
            link_or_copy(source, out / source.name)
    (out / "README.md").write_text(model_card(config, summary, settings, commit, str(out)))
    return out
