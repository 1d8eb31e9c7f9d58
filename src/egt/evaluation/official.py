"""Each benchmark scored as its authors score it, in R1-Reward's setting, from egt's own judgments.

egt judges every pair in both presentation orders; the *official* protocol takes, for each pair,
the judgment in which the preferred response is shown first — R1-Reward's setting (its evaluation
scripts put the chosen response first, judge once and read the answer with a fallback) — and
aggregates it with each benchmark's own scorer. These are the numbers to set beside R1-Reward's
and EGT's published tables; egt's debiased metrics (both orders pooled) are reported beside them.

Rules and their sources (read 2026-11-29):

- Answer extraction (yfzhang114/r1_reward @ 3693413, ``inference/*/``): the text of the first
  ``<answer>…</answer>`` (stripped); without a tag, the last ``1``/``2`` in the text
  (VL-RewardBench and Multimodal RewardBench scripts, ``re.findall(r"[12]", critic)[-1]``) or, in
  the MM-RLHF-RewardBench script, ``re.search(r"[12](?!.*[12])", critic)`` without DOTALL (the last
  1/2 of the first line that has one). The response shown first is preferred iff the answer is
  the number 1.
- VL-RewardBench (vl-rewardbench/VL_RewardBench @ 9b10abd, ``cal.py``): an item whose answer names
  no number is left out of the denominator; one naming the rejected response's position (2) is
  wrong, any other number right; Overall = micro over the rest, Macro = mean of general /
  hallucination / reasoning (183 / 749 / 318 by id prefix). R1-Reward's own ``get_acc.py`` counts
  unparseable items wrong and splits by a case-sensitive substring rule (484 / 448 / 318); the
  R1-Reward paper's category and Macro figures use that split, so it is reported too.
- Multimodal RewardBench (facebookresearch/multimodal_rewardbench @ b4b92cd,
  ``scripts/2_get_accuracy.py``): the label is A (the response shown first); an answer 1 reads as A,
  2 as B, and anything else becomes A or B by ``random.random() < 0.5`` after one
  ``random.seed(123)``, drawn only for such items in file order. Overall = micro over all items;
  categories split safety (bias/toxicity) and reasoning (math/coding) by the lower-cased ID. The
  R1-Reward paper's "Overall" is the plain mean of seven columns (correctness, preference,
  knowledge, math, coding, safety, VQA); reported as ``paper_overall``.
- MM-RLHF-RewardBench (r1_reward ``inference/MM-RLHF-Reward/get_acc.py``): right iff the first
  (chosen) response is preferred; Acc over all pairs (video included), Acc+ = share of ``id``
  groups with every pair right.
"""

from __future__ import annotations

import random
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


def _accuracy(values) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


def _by(keys: list[str], values: list) -> dict[str, dict]:
    out: dict[str, list] = {}
    for key, value in zip(keys, values, strict=True):
        out.setdefault(key, []).append(value)
    return {key: {"pairs": len(v), "accuracy": _accuracy(v)} for key, v in sorted(out.items())}


def r1_paper_vl_category(source_id: str) -> str:
    """R1-Reward's get_acc.py split (case-sensitive substrings: RLAIF-V/RLHF-V ids land in general)."""
    if "mmmu" in source_id or "mathverse" in source_id:
        return "reasoning"
    if "hallucination" in source_id or "rlhf" in source_id or "rlaif" in source_id:
        return "hallucination"
    return "general"


def score_vl_rewardbench(first: pl.DataFrame) -> dict:
    numbers = [as_whole_number(r1_answer(t, "last")) for t in first["text"]]
    ids, categories = first["pair_id"].to_list(), first["category"].to_list()
    parsed = [(c, n != 2) for c, n in zip(categories, numbers, strict=True) if n is not None]
    official = _by([c for c, _ in parsed], [right for _, right in parsed])
    r1_right = [n == 1 for n in numbers]
    r1_split = _by([r1_paper_vl_category(i.split("#")[0]) for i in ids], r1_right)
    return {
        "pairs": first.height,
        "excluded_unparseable": first.height - len(parsed),
        "overall": _accuracy(right for _, right in parsed),
        "macro": _accuracy(c["accuracy"] for c in official.values()),
        "categories": official,
        "r1_reward_split": {
            "overall": _accuracy(r1_right),
            "macro": _accuracy(c["accuracy"] for c in r1_split.values()),
            "categories": r1_split,
        },
    }


# The R1-Reward paper's seven Multimodal RewardBench columns, by egt's category names.
MMRB_PAPER_COLUMNS = {
    "correctness": ["open_generation/correctness_task"],
    "preference": ["open_generation/preference_task"],
    "knowledge": ["knowledge"],
    "math": ["reasoning/math"],
    "coding": ["reasoning/coding"],
    "safety": ["safety/bias", "safety/toxicity"],
    "vqa": ["vqa"],
}


def score_multimodal_rewardbench(first: pl.DataFrame) -> dict:
    rng = random.Random(123)  # once, before the loop, as the official script seeds it
    right = []
    for text in first["text"]:  # in file order: the random draws depend on it
        number = as_number(r1_answer(text, "last"))
        prediction = {1.0: "A", 2.0: "B"}.get(number) or ("A" if rng.random() < 0.5 else "B")
        right.append(prediction == "A")
    categories = first["category"].to_list()
    table = _by(categories, right)
    columns = {
        name: _accuracy(r for r, c in zip(right, categories, strict=True) if c in members)
        for name, members in MMRB_PAPER_COLUMNS.items()
    }
    present = [v for v in columns.values() if v is not None]
    return {
        "pairs": first.height,
        "overall": _accuracy(right),
        "categories": table,
        "paper_columns": columns,
        "paper_overall": _accuracy(present) if len(present) == len(columns) else None,
    }


def score_mm_rlhf_rewardbench(first: pl.DataFrame) -> dict:
    right = [as_number(r1_answer(t, "first_line")) == 1.0 for t in first["text"]]
    frame = first.select("category", "group").with_columns(pl.Series("right", right))
    groups = frame.group_by("group", "category").agg(pl.col("right").all())
    return {
        "pairs": first.height,
        "acc": _accuracy(right),
        "acc_plus": _accuracy(groups["right"].to_list()),
        "groups": groups.height,
        "categories": {
            category: {
                "pairs": frame.filter(pl.col("category") == category).height,
                "acc": _accuracy(frame.filter(pl.col("category") == category)["right"]),
                "acc_plus": _accuracy(groups.filter(pl.col("category") == category)["right"]),
            }
            for category in sorted(frame["category"].unique().to_list())
        },
    }


def score_preferred_first(first: pl.DataFrame) -> dict:
    """A benchmark without an official scorer (the toy world): accuracy in R1-Reward's setting."""
    right = [as_number(r1_answer(t, "last")) == 1.0 for t in first["text"]]
    return {"pairs": first.height, "accuracy": _accuracy(right)}


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def vl_rewardbench_headline(official: dict) -> str:
    r1 = official["r1_reward_split"]
    return (
        f"overall {_num(official['overall'])}, macro {_num(official['macro'])} "
        f"({official['excluded_unparseable']} unparseable left out); R1-Reward's split: macro {_num(r1['macro'])}"
    )


def multimodal_rewardbench_headline(official: dict) -> str:
    overall, paper = _num(official["overall"]), _num(official["paper_overall"])
    return f"overall {overall} (micro); mean of the 7 paper columns {paper}"


def mm_rlhf_rewardbench_headline(official: dict) -> str:
    return f"Acc {_num(official['acc'])}, Acc+ {_num(official['acc_plus'])} ({official['groups']} groups)"


def preferred_first_headline(official: dict) -> str:
    return f"accuracy {_num(official['accuracy'])}"
