"""Training sources read as published: R1-Reward's RL pool, and pairs already in egt's schema.

R1-Reward-RL (Hub ``yifanzhang114/R1-Reward-RL``; its card at c3243ab lists 17,261 rows in six
parquet shards ``data/train-0000k-of-00006.parquet``, about 2.85 GB, columns ``question`` str,
``message`` str, ``answer`` list of str, ``image`` str). ``message`` is a JSON list with one user
turn whose content holds R1-Reward's judging prompt (both responses inside it) and an image block
naming a path on the authors' machine (yfzhang114/r1_reward @ 3693413, README §2.2). ``answer``
holds ``<answer>k</answer>`` (README §2.3); it is read as the authors' reward server reads it
(:func:`r1_label`), no stricter and no looser. The ``image`` column (~165 KB a row) is decided per value: base64 text
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
# R1-Reward's own reader of the column (yfzhang114/r1_reward @ 176aba8, the copy read here; issue 23
# cites 3693413; openrlhf/models/remote_rm/math_verifier_mllm.py, verify_math): for each string of the
# list, the stripped text of the first <answer>…</answer> (DOTALL), else the stripped string; its
# __main__ asserts the column is a list.
_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def r1_label(answer) -> int | str:
    """The preferred response (1 or 2) an R1-Reward-RL ``answer`` value names, or why it names none."""
    if not isinstance(answer, list | tuple):
        return f"answer {answer!r} is not a list of strings (the published column type)"
    texts = [a for a in answer if isinstance(a, str)]
    if not texts or len(texts) != len(answer):
        return f"answer {answer!r} holds no string"
    read = {(match.group(1) if (match := _ANSWER_TAG.search(t)) else t).strip() for t in texts}
    if not read <= {"1", "2"}:
        return f"answer {answer!r} names no response 1 or 2"
    if len(read) > 1:
        return f"answer {answer!r} names both responses"
    return int(read.pop())


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
    label = r1_label(record.get("answer"))
    if isinstance(label, str):
        return label
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
        "label": label,
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
