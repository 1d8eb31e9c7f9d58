"""Scoring in R1-Reward's setting, from egt's own judgments: what every benchmark's scorer shares.

egt judges every pair in both presentation orders; the *official* protocol takes, for each pair,
the judgment in which the preferred response is shown first — R1-Reward's setting (its evaluation
scripts put the chosen response first, judge once and read the answer with a fallback) — and
aggregates it with each benchmark's own scorer (egt/benchmarks/<name>.py, with its rule's source).
These are the numbers to set beside R1-Reward's and EGT's published tables; egt's debiased metrics
(both orders pooled) are reported beside them. A dataset no benchmark scores (the toy world's) gets
accuracy in that setting (:func:`score_preferred_first`).

Answer extraction (yfzhang114/r1_reward @ 3693413, ``inference/*/``): the text of the first
``<answer>…</answer>`` (stripped); without a tag, the last ``1``/``2`` in the text (VL-RewardBench
and Multimodal RewardBench scripts, ``re.findall(r"[12]", critic)[-1]``) or, in the
MM-RLHF-RewardBench script, ``re.search(r"[12](?!.*[12])", critic)`` without DOTALL (the last 1/2 of
the first line that has one). The response shown first is preferred iff the answer is the number 1.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl

_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_LAST_DIGIT_FIRST_LINE = re.compile(r"[12](?!.*[12])")  # no DOTALL: '.' stops at a line break


def r1_answer(text: str | None, fallback: str = "last") -> str | None:
    """R1-Reward's answer string: the tag's content, else a 1/2 found by ``fallback`` ("last" or "first_line")."""
    if not text:
        return None
    tag = _TAG.search(text)
    if tag:
        return tag.group(1).strip()
    if fallback == "first_line":
        found = _LAST_DIGIT_FIRST_LINE.search(text)
        return found.group(0) if found else None
    digits = re.findall(r"[12]", text)
    return digits[-1] if digits else None


def as_number(answer: str | None) -> float | None:
    """R1-Reward's reading of an answer string: ``float(student_answer)`` (yfzhang114/r1_reward @
    176aba8, inference/MM-RLHF-Reward/r1_reward.py; its other benchmark scripts were not read for
    this and are assumed to read alike), None where ``float`` raises."""
    try:
        return float(answer) if answer is not None else None
    except ValueError:
        return None


_WHOLE_NUMBER = re.compile(r"\d+")


def as_whole_number(answer: str | None) -> int | None:
    r"""The whole number an answer string is, as VL-RewardBench's cal.py reads one (``Answer\s*(\d+)``,
    then ``int``: vl-rewardbench/VL_RewardBench @ 6f64385, cal.py, ``distribution``); "1.0", "1e0",
    "nan" or "inf" name no number there, so none here."""
    if answer is None or not _WHOLE_NUMBER.fullmatch(answer.strip()):
        return None
    return int(answer.strip())


def preferred_first_judgments(judgments: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Per pair, the judgment in which the preferred response was shown first (R1-Reward's setting).

    Returns pair_id, text and the pair's category, group and source_row (where present), in source order.
    """
    extra = [c for c in ("category", "group", "source_row") if c in pairs.columns]
    first = (
        pairs.select("pair_id", "label", *extra)
        .with_columns(
            pl.when(pl.col("label") == 1).then(pl.lit("original")).otherwise(pl.lit("swapped")).alias("order")
        )
        .join(judgments.select("pair_id", "order", "text"), on=["pair_id", "order"], how="left")
    )
    if first["text"].null_count():
        raise ValueError(f"{first['text'].null_count()} pairs have no judgment with the preferred response first")
    return first.sort("source_row" if "source_row" in extra else "pair_id")


def accuracy(values) -> float | None:
    """The mean of booleans; None when there are none (a category the judged subset lacks)."""
    values = list(values)
    return float(np.mean(values)) if values else None


def by_key(keys: list[str], values: list) -> dict[str, dict]:
    """Pairs and accuracy per key (a category), keys sorted."""
    out: dict[str, list] = {}
    for key, value in zip(keys, values, strict=True):
        out.setdefault(key, []).append(value)
    return {key: {"pairs": len(v), "accuracy": accuracy(v)} for key, v in sorted(out.items())}


def score_preferred_first(first: pl.DataFrame) -> dict:
    """A benchmark without an official scorer (the toy world): accuracy in R1-Reward's setting."""
    right = [as_number(r1_answer(t, "last")) == 1.0 for t in first["text"]]
    return {"pairs": first.height, "accuracy": accuracy(right)}


def fmt(value) -> str:
    """A headline's figure: three decimals, or n/a."""
    return "n/a" if value is None else f"{value:.3f}"


def preferred_first_headline(official: dict) -> str:
    return f"accuracy {fmt(official['accuracy'])}"
