"""Preference pairs as TRL datasets: rows of images + conversations.

The pairs come as plain dicts (``frame.to_dicts()``), so these builders need no polars.
"""

from __future__ import annotations

from datasets import Dataset

from egt.data.images import open_image
from egt.judging import judge_messages


def sft_dataset(pairs: list[dict], template: str) -> Dataset:
    """Conversational SFT rows: the judging prompt as the user turn, the trace as the assistant's."""
    rows = [
        {
            "images": [open_image(row["image"])],
            "messages": judge_messages(row["question"], row["response_1"], row["response_2"], template)
            + [{"role": "assistant", "content": [{"type": "text", "text": row["reasoning"]}]}],
        }
        for row in pairs
    ]
    return Dataset.from_list(rows)


def swapped_pair(row: dict) -> dict:
    """The pair with its responses in the other order and its label mapped to follow them."""
    return {
        **row,
        "response_1": row["response_2"],
        "response_2": row["response_1"],
        "label": 3 - int(row["label"]),
        "pair_id": f"{row['pair_id']}#swapped",
    }


def grpo_dataset(pairs: list[dict], template: str, both_orders: bool = False) -> Dataset:
    """Prompt-only rows for GRPO; ``label`` reaches the reward functions as a keyword argument.

    With ``both_orders`` every pair also appears with its responses swapped and its label mapped,
    so answering by position earns nothing.
    """
    if both_orders:
        pairs = list(pairs) + [swapped_pair(row) for row in pairs]
    rows = [
        {
            "prompt": judge_messages(row["question"], row["response_1"], row["response_2"], template),
            "image": open_image(row["image"]),
            "label": int(row["label"]),
            "pair_id": row["pair_id"],
        }
        for row in pairs
    ]
    return Dataset.from_list(rows)
