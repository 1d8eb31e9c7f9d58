"""Training sources read as published: R1-Reward's RL pool, and pairs already in egt's schema.

R1-Reward-RL (Hub ``yifanzhang114/R1-Reward-RL``; its card at c3243ab lists 17,261 rows in six
parquet shards ``data/train-0000k-of-00006.parquet``, about 2.85 GB, columns ``question`` str,
``message`` str, ``answer`` list of str, ``image`` str). ``message`` is a JSON list with one user
turn whose content holds R1-Reward's judging prompt (both responses inside it) and an image block
naming a path on the authors' machine (yfzhang114/r1_reward @ 3693413, README §2.2). ``answer``
holds ``<answer>k</answer>``. The ``image`` column (~165 KB a row) is decided per value: base64 text
or a data URL (the likely case; not verified on the real shards), raw bytes, a ``{bytes, path}``
struct, or a path under ``image_root``; only then is the basename of the message's own path tried.
Shards are read in row batches, so memory stays bounded.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from egt.data.adapters import Adapter, Context
from egt.data.images import decode_image

# The responses inside R1-Reward's template; any run of '#' before a section (the README's copy
# shows four where the template has six).
_R1_RESPONSES = re.compile(
    r"\[Response 1\]:\s*\n(?P<r1>.*?)\s*#+\s*\[Response 2\]:\s*\n(?P<r2>.*?)\s*#+\s*\*\*Output Format", re.S
)
_R1_QUESTION = re.compile(r"\[Question\]:\s*\n(?P<q>.*?)\s*#+\s*\[Response 1\]", re.S)
_ANSWER = re.compile(r"^\s*<answer>\s*([12])\s*</answer>\s*$")


def _message_blocks(message) -> tuple[str, str | None]:
    turns = json.loads(message) if isinstance(message, str) else message
    content = turns[0]["content"]
    text = next(block["text"] for block in content if block.get("type") == "text")
    image = next((block.get("image") for block in content if block.get("type") == "image"), None)
    return text, image


def _r1_reward_rl(record: dict, context: Context) -> dict | str:
    try:
        text, message_image = _message_blocks(record["message"])
    except (json.JSONDecodeError, KeyError, IndexError, StopIteration, TypeError) as error:
        return f"unreadable message ({type(error).__name__})"
    responses = _R1_RESPONSES.search(text)
    if responses is None:
        return "responses not found in the prompt text"
    answers = [a for a in (record.get("answer") or []) if isinstance(a, str)]
    matched = [_ANSWER.match(a) for a in answers]
    if len(answers) != 1 or not matched[0]:
        return f"answer {record.get('answer')!r} is not one <answer>1|2</answer>"
    image, problem = decode_image(record.get("image"), context.roots)
    if image is None and message_image:
        # last resort: the image the message names, by file name, under image_root
        image, _ = decode_image(PurePosixPath(str(message_image)).name, context.roots)
    if image is None:
        return problem
    question = record.get("question") or (_R1_QUESTION.search(text) or {"q": ""})["q"]
    return {
        "image": image,
        "question": question,
        "response_1": responses["r1"],
        "response_2": responses["r2"],
        "label": int(matched[0][1]),
        "category": "r1_reward_rl",
    }


R1_REWARD_RL = Adapter(
    name="r1_reward_rl",
    files=("data/train-*.parquet",),
    image_root="",
    allow_patterns=("data/train-*.parquet", "README.md"),
    record_id=lambda record, index: f"r1rl-{index:07d}",
    convert=_r1_reward_rl,
    columns=("question", "message", "answer", "image"),
    expects="the Hub dataset yifanzhang114/R1-Reward-RL as published (data/train-*-of-00006.parquet)",
    source="yifanzhang114/R1-Reward-RL @ c3243ab, data/train-*-of-00006.parquet",
)


def _egt_pairs(record: dict, context: Context) -> dict | str:
    label = record.get("label")
    if str(label) not in ("1", "2"):
        return f"label {label!r} is not 1 or 2"
    image, problem = decode_image(record.get("image"), context.roots)
    if image is None:
        return problem
    return {
        **{k: record.get(k) for k in ("question", "response_1", "response_2", "reasoning")},
        "image": image,
        "label": int(label),
        "category": record.get("category") or "egt_pairs",
    }


EGT_PAIRS = Adapter(
    name="egt_pairs",
    files=("*.parquet", "*.jsonl"),
    image_root="",
    allow_patterns=("*.parquet", "*.jsonl", "images/**"),
    record_id=lambda record, index: str(record.get("pair_id") or f"pair-{index:07d}"),
    convert=_egt_pairs,
    source="egt's own pair schema (docs/data.md)",
    expects=(
        "parquet (or JSON lines) files of pairs in egt's schema: pair_id, image (bytes or a path), question, "
        "response_1, response_2, label (1 or 2)[, reasoning]"
    ),
)

SOURCE_ADAPTERS = (R1_REWARD_RL, EGT_PAIRS)
