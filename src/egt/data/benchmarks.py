"""The three public multimodal reward benchmarks: adapters from their record layouts to
preference pairs.

Each adapter returns (pairs, skipped): ``pairs`` in the pipeline's pair schema plus
``category`` and ``group`` columns and the original ``source_id``; ``skipped`` has one row per
record that cannot be judged here, with the reason (missing image, video item, …), so
records in = pairs + skipped.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

BENCHMARK_PAIR_SCHEMA = {
    "pair_id": pl.String,
    "source_id": pl.String,
    "image": pl.Binary,
    "question": pl.String,
    "response_1": pl.String,
    "response_2": pl.String,
    "label": pl.Int8,
    "category": pl.String,
    "group": pl.String,  # pairs that must all be right for Acc+ (MM-RLHF); else the pair itself
}
SKIPPED_SCHEMA = {"source_id": pl.String, "reason": pl.String}


def _as_list(value) -> list:
    """VL-RewardBench copies store lists either as lists or as their Python repr."""
    return ast.literal_eval(value) if isinstance(value, str) else list(value)


def _read_image(root: Path, image) -> bytes | None:
    """An image as a path relative to ``root`` (JSON releases), raw bytes, or ``{"bytes": …}`` (Hub parquet)."""
    if isinstance(image, bytes | bytearray):
        return bytes(image) or None
    if isinstance(image, dict):
        return image.get("bytes") or _read_image(root, image.get("path") or "")
    path = root / str(image)
    return path.read_bytes() if image and path.is_file() else None


def _image_name(image) -> str:
    return image.get("path") or "<embedded>" if isinstance(image, dict) else str(image)


def _chosen_first(source_id: str) -> bool:
    """A fixed, content-independent position for the preferred response (both orders are judged anyway)."""
    return hashlib.sha256(source_id.encode()).digest()[0] % 2 == 0


def _frame(rows: list[dict], skipped: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return pl.DataFrame(rows, schema=BENCHMARK_PAIR_SCHEMA), pl.DataFrame(skipped, schema=SKIPPED_SCHEMA)


def _unique_ids(ids: Iterable[str]) -> list[str]:
    """Ids that occur more than once (VL-RewardBench has 25) get a #2, #3 … suffix."""
    seen: dict[str, int] = {}
    out = []
    for source_id in ids:
        seen[source_id] = seen.get(source_id, 0) + 1
        out.append(source_id if seen[source_id] == 1 else f"{source_id}#{seen[source_id]}")
    return out


# --- VL-RewardBench -------------------------------------------------------------------------


def vl_rewardbench_category(source_id: str) -> str:
    """The official id-prefix rule (after the scorer's 2025 fix): 183 / 749 / 318."""
    if source_id.startswith(("hallucination_pair", "RLAIF-V", "RLHF-V")):
        return "hallucination"
    if source_id.startswith(("mathverse", "mmmu_pro")):
        return "reasoning"
    return "general"


def load_vl_rewardbench(records: list[dict], image_root: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``human_ranking`` gives each response's rank (0 = best): [0, 1] prefers the first."""
    rows, skipped = [], []
    for pair_id, record in zip(_unique_ids(r["id"] for r in records), records, strict=True):
        responses, ranking = _as_list(record["response"]), _as_list(record["human_ranking"])
        image = _read_image(Path(image_root), record["image"])
        if image is None:
            skipped.append({"source_id": pair_id, "reason": f"missing image {_image_name(record['image'])}"})
            continue
        rows.append(
            {
                "pair_id": pair_id,
                "source_id": record["id"],
                "image": image,
                "question": record["query"],
                "response_1": responses[0],
                "response_2": responses[1],
                "label": 1 if ranking[0] < ranking[1] else 2,
                "category": vl_rewardbench_category(record["id"]),
                "group": pair_id,
            }
        )
    return _frame(rows, skipped)


# --- MM-RLHF-RewardBench --------------------------------------------------------------------

MM_RLHF_CATEGORIES = ("mcq", "long", "short", "safety", "video")


def mm_rlhf_category(path: str) -> str:
    for keyword in MM_RLHF_CATEGORIES:
        if keyword in path:
            return keyword
    return "other"


def load_mm_rlhf_rewardbench(records: list[dict], image_root: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``chosen``/``rejected``; pairs sharing an ``id`` form an Acc+ group. Video items (a folder
    of frames) are skipped and counted: the judge here takes one image."""
    rows, skipped = [], []
    ids = _unique_ids(r["id"] for r in records)
    for pair_id, record in zip(ids, records, strict=True):
        if "video" in record:
            skipped.append({"source_id": pair_id, "reason": "video item (frames), not judged by an image judge"})
            continue
        image = _read_image(Path(image_root), record["image"])
        if image is None:
            skipped.append({"source_id": pair_id, "reason": f"missing image {record['image']}"})
            continue
        first = _chosen_first(pair_id)
        rows.append(
            {
                "pair_id": pair_id,
                "source_id": record["id"],
                "image": image,
                "question": record["prompt"],
                "response_1": record["chosen"] if first else record["rejected"],
                "response_2": record["rejected"] if first else record["chosen"],
                "label": 1 if first else 2,
                "category": mm_rlhf_category(record["image"]),
                "group": record["id"],
            }
        )
    return _frame(rows, skipped)


# --- Multimodal RewardBench -----------------------------------------------------------------


def multimodal_rewardbench_category(record: dict) -> str:
    """Six categories; safety split into bias/toxicity and reasoning into math/coding by ID."""
    category = record["Category"]
    if category == "safety":
        return "safety/bias" if record["ID"].startswith("pairs") else "safety/toxicity"
    if category == "reasoning":
        return "reasoning/math" if record["ID"].startswith("math") else "reasoning/coding"
    return category


def load_multimodal_rewardbench(records: list[dict], image_root: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows, skipped = [], []
    for pair_id, record in zip(_unique_ids(r["ID"] for r in records), records, strict=True):
        if record["Better"] not in ("Output1", "Output2"):
            skipped.append({"source_id": pair_id, "reason": f"Better is {record['Better']!r}"})
            continue
        image = _read_image(Path(image_root), record["Image"])
        if image is None:
            skipped.append({"source_id": pair_id, "reason": f"missing image {record['Image']}"})
            continue
        rows.append(
            {
                "pair_id": pair_id,
                "source_id": record["ID"],
                "image": image,
                "question": record["Text"],
                "response_1": record["Output1"],
                "response_2": record["Output2"],
                "label": 1 if record["Better"] == "Output1" else 2,
                "category": multimodal_rewardbench_category(record),
                "group": pair_id,
            }
        )
    return _frame(rows, skipped)


ADAPTERS: dict[str, Callable[[list[dict], str | Path], tuple[pl.DataFrame, pl.DataFrame]]] = {
    "vl_rewardbench": load_vl_rewardbench,
    "mm_rlhf_rewardbench": load_mm_rlhf_rewardbench,
    "multimodal_rewardbench": load_multimodal_rewardbench,
}
