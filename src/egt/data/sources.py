"""Real datasets → the pipeline's pair schema.

A source folder (a Hub snapshot or a local copy in the same layout) is read as records from
its JSON, JSONL and parquet files; an adapter turns records into pairs and reports every
record it cannot use, so records in = pairs out + skipped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from egt.data.benchmarks import ADAPTERS as BENCHMARK_ADAPTERS
from egt.data.benchmarks import BENCHMARK_PAIR_SCHEMA, SKIPPED_SCHEMA, _frame, _read_image, _unique_ids


def read_records(folder: str | Path) -> list[dict]:
    """Every record of every .json (a list), .jsonl and .parquet file under ``folder``, in path order."""
    records: list[dict] = []
    for path in sorted(Path(folder).rglob("*")):
        if ".cache" in path.parts or not path.is_file():
            continue
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            records.extend(data if isinstance(data, list) else [data])
        elif path.suffix == ".jsonl":
            records.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        elif path.suffix == ".parquet":
            records.extend(pl.read_parquet(path).to_dicts())
    return records


# R1-Reward's RL data: the judging prompt with both responses inside one text block, the image
# as a path on the authors' machine, and the preferred index as "<answer>k</answer>".
_R1_RESPONSES = re.compile(
    r"\[Response 1\]:\s*\n(?P<r1>.*?)\s*#+\s*\[Response 2\]:\s*\n(?P<r2>.*?)\s*#+\s*\*\*Output Format", re.S
)


def load_r1_reward_rl(records: list[dict], image_root: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows, skipped = [], []
    for index, record in enumerate(records):
        pair_id = f"r1rl-{index:07d}"
        try:
            message = json.loads(record["message"]) if isinstance(record["message"], str) else record["message"]
            content = message[0]["content"]
            text = next(block["text"] for block in content if block.get("type") == "text")
            image_path = next(block["image"] for block in content if block.get("type") == "image")
        except (KeyError, IndexError, StopIteration, TypeError, json.JSONDecodeError) as error:
            skipped.append({"source_id": pair_id, "reason": f"unreadable message ({type(error).__name__})"})
            continue
        responses = _R1_RESPONSES.search(text)
        answer = re.search(r"<answer>\s*([12])\s*</answer>", " ".join(record.get("answer") or []))
        image = _read_image(Path(image_root), Path(image_path).name)
        if responses is None:
            skipped.append({"source_id": pair_id, "reason": "responses not found in the prompt text"})
        elif answer is None:
            skipped.append(
                {"source_id": pair_id, "reason": f"answer {record.get('answer')!r} is not <answer>1|2</answer>"}
            )
        elif image is None:
            skipped.append({"source_id": pair_id, "reason": f"missing image {Path(image_path).name}"})
        else:
            rows.append(
                {
                    "pair_id": pair_id,
                    "source_id": pair_id,
                    "image": image,
                    "question": record.get("question", ""),
                    "response_1": responses["r1"],
                    "response_2": responses["r2"],
                    "label": int(answer[1]),
                    "category": "r1_reward_rl",
                    "group": pair_id,
                }
            )
    return _frame(rows, skipped)


def load_egt_pairs(records: list[dict], image_root: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records already in the pipeline's schema (images as bytes or paths); ``reasoning`` is kept.

    Values are not judged here: a bad label or empty text reaches ``validate_data``, which
    quarantines it with the reason.
    """
    rows, skipped = [], []
    ids = _unique_ids(str(r.get("pair_id", i)) for i, r in enumerate(records))
    for pair_id, record in zip(ids, records, strict=True):
        image = _read_image(Path(image_root), record.get("image"))
        if image is None:
            skipped.append({"source_id": pair_id, "reason": "missing image"})
            continue
        label = record.get("label")
        rows.append(
            {
                **{k: record.get(k) for k in ("question", "response_1", "response_2", "reasoning")},
                "pair_id": pair_id,
                "source_id": pair_id,
                "image": image,
                "label": int(label) if str(label) in ("1", "2") else None,
                "category": "sft",
                "group": pair_id,
            }
        )
    schema = {**BENCHMARK_PAIR_SCHEMA, "reasoning": pl.String}
    return pl.DataFrame(rows, schema=schema), pl.DataFrame(skipped, schema=SKIPPED_SCHEMA)


ADAPTERS = {**BENCHMARK_ADAPTERS, "r1_reward_rl": load_r1_reward_rl, "egt_pairs": load_egt_pairs}
