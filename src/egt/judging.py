"""The judging prompt, the R1-Reward answer format, and parsing of judgments."""

from __future__ import annotations

import re
from dataclasses import dataclass

JUDGE_INSTRUCTION = (
    "Question: {question}\n"
    "Response 1: {response_1}\n"
    "Response 2: {response_2}\n"
    "Which response is better? Reason in <think></think>, then answer 1 or 2 in <answer></answer>."
)

# The whole completion must be one think block followed by one answer block.
_FORMAT = re.compile(r"^\s*<think>(?P<think>.+?)</think>\s*<answer>\s*(?P<answer>[12])\s*</answer>\s*$", re.S)
_ANSWER = re.compile(r"<answer>\s*([12])\s*</answer>")


@dataclass(frozen=True)
class Judgment:
    answer: int | None  # 1 or 2; None when no answer can be read
    format_ok: bool


def judge_prompt_text(question: str, response_1: str, response_2: str) -> str:
    return JUDGE_INSTRUCTION.format(question=question, response_1=response_1, response_2=response_2)


def judge_messages(question: str, response_1: str, response_2: str) -> list[dict]:
    """One user turn: the image placeholder, then the judging instruction."""
    return [
        {
            "role": "user",
            "content": [
                {"type": "image"},
                {"type": "text", "text": judge_prompt_text(question, response_1, response_2)},
            ],
        }
    ]


def reasoning_trace(shape: str, seen_color: str, color_1: str, color_2: str) -> str:
    """A short reasoning chain in the R1-Reward format, used as the SFT target.

    Each response is checked against what the image shows right where it is named, so every
    step of the chain depends on a nearby token (easy for a tiny model to learn).
    """
    if seen_color not in (color_1, color_2):
        raise ValueError(f"seen colour {seen_color!r} is named by neither response")
    verdict = {True: "a match", False: "not a match"}
    answer = 1 if seen_color == color_1 else 2
    return (
        f"<think>The {shape} looks {seen_color}. "
        f"Response 1 says {color_1}, {verdict[seen_color == color_1]}. "
        f"Response 2 says {color_2}, {verdict[seen_color == color_2]}.</think>"
        f"<answer>{answer}</answer>"
    )


def completion_text(completion: str | list[dict]) -> str:
    """TRL passes conversational completions as a list of messages; plain ones as a string."""
    if isinstance(completion, str):
        return completion
    return "".join(
        part["content"] if isinstance(part["content"], str) else _content_text(part["content"]) for part in completion
    )


def _content_text(content: list[dict]) -> str:
    return "".join(block.get("text", "") for block in content)


def parse_judgment(text: str) -> Judgment:
    """Read the preferred response from a judgment.

    ``format_ok`` requires exactly the ``<think>…</think><answer>1|2</answer>`` shape. The
    answer is still read from a malformed judgment when it has exactly one answer block;
    several conflicting answer blocks count as no answer.
    """
    match = _FORMAT.match(text)
    if match and "<think>" not in match["think"] and "<answer>" not in match["think"]:
        return Judgment(answer=int(match["answer"]), format_ok=True)
    answers = set(_ANSWER.findall(text))
    answer = int(answers.pop()) if len(answers) == 1 else None
    return Judgment(answer=answer, format_ok=False)
