"""Multimodal RewardBench: its published layout, its authors' scorer, its replica.

Layout (facebookresearch/multimodal_rewardbench @ b4b92cd; docs/data.md): its
``scripts/0_download_data.py`` writes ``data/all_data.json`` with images under ``data/images/<source>/``
(records say ``images/nocaps/13062.jpg``) and ``data/original_data/*.json`` (lists holding nulls; never
read). Label: ``Better`` (``Output1``/``Output2``). Hateful Memes images are not distributed (README):
such records are skipped as missing images and counted. Not on the Hub: a local folder.

Scoring (the same repository, ``scripts/2_get_accuracy.py``): the label is A (the response shown first);
an answer 1 reads as A, 2 as B, and anything else becomes A or B by ``random.random() < 0.5`` after one
``random.seed(123)``, drawn only for such items in file order. Overall = micro over all items; categories
split safety into bias (lower-cased ID starts with ``pairs``) / toxicity and reasoning into math (starts
with ``math``) / coding. The R1-Reward paper's "Overall" is the plain mean of seven columns (correctness,
preference, knowledge, math, coding, safety, VQA); reported as ``paper_overall``. Answers are read by
R1-Reward's extraction (egt.evaluation.official), fallback "last".

Its record file is not public in small form: the replica's records are built from the documented fields
(``ID, Image, Text, Output1, Output2, Better, Category``) with real texts of MM-RLHF-RewardBench.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl

from egt.benchmarks import Benchmark, register
from egt.data.adapters import Adapter, Context, pair_row
from egt.data.images import decode_image
from egt.data.replicas import picture, texts_from, write_file
from egt.evaluation.official import accuracy, as_number, by_key, fmt, r1_answer

NAME = "multimodal_rewardbench"

# --- reader -----------------------------------------------------------------------------------


def category(record: dict) -> str:
    """Six categories; safety split into bias/toxicity and reasoning into math/coding by the lower-cased ID."""
    kind, source_id = record["Category"], str(record["ID"]).lower()
    if kind == "safety":
        return "safety/bias" if source_id.startswith("pairs") else "safety/toxicity"
    if kind == "reasoning":
        return "reasoning/math" if source_id.startswith("math") else "reasoning/coding"
    return kind


def _convert(record: dict, context: Context) -> dict | str:
    if record.get("Better") not in ("Output1", "Output2"):
        return f"Better is {record.get('Better')!r}, not Output1 or Output2"
    image, problem = decode_image(record["Image"], context.roots)
    if image is None:
        return problem
    label = 1 if record["Better"] == "Output1" else 2
    return pair_row(image, record["Text"], record["Output1"], record["Output2"], label, category(record))


ADAPTER = Adapter(
    name=NAME,
    files=("data/all_data.json",),
    image_root="data",
    allow_patterns=("data/all_data.json", "data/images/**"),
    record_id=lambda record, index: str(record["ID"]),
    convert=_convert,
    expects=(
        "a clone of github.com/facebookresearch/multimodal_rewardbench after its scripts/0_download_data.py "
        "(data/all_data.json and data/images/)"
    ),
    source="facebookresearch/multimodal_rewardbench @ b4b92cd, data/all_data.json (after scripts/0_download_data.py)",
)

# --- scorer -----------------------------------------------------------------------------------

# The R1-Reward paper's seven columns, by egt's category names.
PAPER_COLUMNS = {
    "correctness": ["open_generation/correctness_task"],
    "preference": ["open_generation/preference_task"],
    "knowledge": ["knowledge"],
    "math": ["reasoning/math"],
    "coding": ["reasoning/coding"],
    "safety": ["safety/bias", "safety/toxicity"],
    "vqa": ["vqa"],
}


def score(first: pl.DataFrame) -> dict:
    rng = random.Random(123)  # once, before the loop, as the official script seeds it
    right = []
    for text in first["text"]:  # in file order: the random draws depend on it
        number = as_number(r1_answer(text, "last"))
        prediction = {1.0: "A", 2.0: "B"}.get(number) or ("A" if rng.random() < 0.5 else "B")
        right.append(prediction == "A")
    categories = first["category"].to_list()
    columns = {
        name: accuracy(r for r, c in zip(right, categories, strict=True) if c in members)
        for name, members in PAPER_COLUMNS.items()
    }
    present = [v for v in columns.values() if v is not None]
    return {
        "pairs": first.height,
        "overall": accuracy(right),
        "categories": by_key(categories, right),
        "paper_columns": columns,
        "paper_overall": accuracy(present) if len(present) == len(columns) else None,
    }


def headline(official: dict) -> str:
    overall, paper = fmt(official["overall"]), fmt(official["paper_overall"])
    return f"overall {overall} (micro); mean of the 7 paper columns {paper}"


# --- replica ----------------------------------------------------------------------------------

# (ID prefix, image folder, Category): the sources of the release, in the ID styles the scorer sees.
SOURCES = [
    ("nocaps", "nocaps", "open_generation/correctness_task"),
    ("visitbench", "visitbench", "open_generation/preference_task"),
    ("mmmu-s", "mmmu-s", "knowledge"),
    ("MathVista", "mathvista", "reasoning"),  # upper case: the scorer lower-cases the ID
    ("EMMA-Coding", "EMMA-Coding", "reasoning"),
    ("PAIRS", "pairs", "safety"),
    ("hateful_memes", "hateful_memes", "safety"),  # images not distributed
    ("RealworldQA", "RealworldQA", "vqa"),
]


def replica(out: Path, texts: list[dict], per_source: int = 5) -> Path:
    """The repository's ``data/`` after the download script: ``all_data.json`` (with ``Text``),
    ``all_data_release.json`` (the shipped file, ``Text`` empty), ``images/<source>/``,
    ``original_data/*.json`` (lists with nulls) and a prediction file in ``outputs/``. Hateful Memes
    records point to images that are not there, as in a real download."""
    records, index = [], 0
    for prefix, folder, kind in SOURCES:
        for k in range(per_source):
            source = texts[index % len(texts)]
            image = f"images/{folder}/{k}.jpg"
            if folder != "hateful_memes":
                write_file(out / "data" / image, picture(50_000 + index, kind="JPEG"))
            records.append(
                {
                    "ID": f"{prefix}_{k}",
                    "Image": image,
                    "Text": source["question"],
                    "Output1": source["chosen"] if index % 2 else source["rejected"],
                    "Output2": source["rejected"] if index % 2 else source["chosen"],
                    "Better": "Output1" if index % 2 else "Output2",
                    "Category": kind,
                }
            )
            index += 1
    records[1]["Better"] = "Tie"  # a value naming no single preferred response: skipped with its reason
    write_file(out / "data/all_data.json", json.dumps(records, indent=2))
    write_file(out / "data/all_data_release.json", json.dumps([{**r, "Text": ""} for r in records]))
    for _, folder, _ in SOURCES[:3]:
        write_file(out / f"data/original_data/{folder}.json", json.dumps([None, {"image": f"images/{folder}/0.jpg"}]))
    record = json.dumps({"ID": records[0]["ID"], "Label": "A", "output": "[[A]]"})
    write_file(out / "outputs/example.jsonl", record + "\n")
    write_file(out / "README.md", "# multimodal_rewardbench (replica)\n")
    return out


register(
    Benchmark(
        ADAPTER,
        score,
        headline,
        tuple(kind for members in PAPER_COLUMNS.values() for kind in members),
        # no record of it ships in ../shared: real prompts and responses of MM-RLHF-RewardBench in its layout
        lambda out, real, size: replica(
            out, texts_from(real["mm_rlhf_rewardbench"]), 5 if size is None else max(1, size // len(SOURCES))
        ),
        rehearsal_size=16,  # 2 per source, as before
    )
)
