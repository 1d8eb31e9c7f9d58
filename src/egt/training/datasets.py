"""Preference pairs as TRL datasets: rows of images + conversations."""

from __future__ import annotations

import io

import polars as pl
from datasets import Dataset
from PIL import Image

from egt.judging import judge_messages


def decode_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def sft_dataset(pairs: pl.DataFrame, template: str = "egt") -> Dataset:
    """Conversational SFT rows: the judging prompt as the user turn, the trace as the assistant's."""
    rows = [
        {
            "images": [decode_image(row["image"])],
            "messages": judge_messages(row["question"], row["response_1"], row["response_2"], template)
            + [{"role": "assistant", "content": [{"type": "text", "text": row["reasoning"]}]}],
        }
        for row in pairs.iter_rows(named=True)
    ]
    return Dataset.from_list(rows)


def grpo_dataset(pairs: pl.DataFrame, template: str = "egt", both_orders: bool = False) -> Dataset:
    """Prompt-only rows for GRPO; ``label`` reaches the reward functions as a keyword argument.

    With ``both_orders`` every pair also appears with its responses swapped and its label mapped,
    so answering by position earns nothing.
    """
    if both_orders:
        swapped = pairs.with_columns(
            pl.col("response_2").alias("response_1"),
            pl.col("response_1").alias("response_2"),
            (3 - pl.col("label")).cast(pairs.schema["label"]).alias("label"),
            (pl.col("pair_id") + "#swapped").alias("pair_id"),
        )
        pairs = pl.concat([pairs, swapped.select(pairs.columns)])
    rows = [
        {
            "prompt": judge_messages(row["question"], row["response_1"], row["response_2"], template),
            "image": decode_image(row["image"]),
            "label": int(row["label"]),
            "pair_id": row["pair_id"],
        }
        for row in pairs.iter_rows(named=True)
    ]
    return Dataset.from_list(rows)
