"""The three public multimodal reward benchmarks, read as published.

Layout facts and their sources (checked 2026-11-29; see docs/data.md for the full table):

- VL-RewardBench: Hub ``MMInstruction/VL-RewardBench`` @ 0e6e627 holds ``data/test-00000-of-00001.parquet``
  (image as a ``{bytes, path}`` struct, ``response`` and ``human_ranking`` as lists) beside a 114 MB
  ``vl_rewardbench.tsv`` and an 85 MB ``inference_results.zip`` that nothing here reads. ``human_ranking``
  [0, 1] prefers the first response (dataset card). Categories: the official id-prefix rule of
  ``cal.py`` (vl-rewardbench/VL_RewardBench @ 9b10abd): 183 general / 749 hallucination / 318 reasoning.
- MM-RLHF-RewardBench: Hub ``yifanzhang114/MM-RLHF-RewardBench`` @ 0d285ab holds the same 170
  records twice (``data/train-00000-of-00001.parquet`` and ``mm_reward_bench.jsonl``) and the
  images under ``images/``; records name ``mcq/073712.png`` (no ``images/`` prefix) or a video
  ``video/<name>`` whose frames sit in ``images/<name>/`` (guess from the Hub tree: no
  ``images/video/`` folder; both places are tried). Category = a keyword of the path; pairs sharing
  an ``id`` form an Acc+ group (yfzhang114/r1_reward @ 3693413, ``inference/MM-RLHF-Reward/get_acc.py``).
- Multimodal RewardBench: facebookresearch/multimodal_rewardbench @ b4b92cd; its
  ``scripts/0_download_data.py`` writes ``data/all_data.json`` with images under ``data/images/<source>/``
  (records say ``images/nocaps/13062.jpg``) and ``data/original_data/*.json`` (lists holding
  nulls; never read). Label: ``Better`` (``Output1``/``Output2``); categories by
  ``scripts/2_get_accuracy.py``: safety → bias when the lower-cased ID starts with ``pairs``, else
  toxicity; reasoning → math when it starts with ``math``, else coding. Hateful Memes images are
  not distributed (README): such records are skipped as missing images and counted.
"""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

import numpy as np

from egt.data.adapters import Adapter, Context
from egt.data.images import decode_image, resolve_path

VIDEO_FRAMES = 8  # frames sampled from a video item when the dataset spec sets none


def _as_list(value) -> list:
    """Lists come as lists, numpy arrays (pandas) or, in some copies, their Python repr."""
    return ast.literal_eval(value) if isinstance(value, str) else list(value)


def _preferred_by_ranking(ranking) -> int | None:
    """1 or 2 from a two-item rank list (0 = best); None for a tie or anything else."""
    ranks = [int(r) for r in _as_list(ranking)]
    if len(ranks) == 2 and sorted(ranks) == [0, 1]:
        return 1 if ranks[0] == 0 else 2
    return None


def _pair(image: bytes, question: str, first: str, second: str, label: int, category: str, group=None) -> dict:
    return {
        "image": image,
        "question": question,
        "response_1": first,
        "response_2": second,
        "label": label,
        "category": category,
        "group": group,
    }


def chosen_first(source_id: str) -> bool:
    """A fixed, content-independent position for a chosen/rejected pair (both orders are judged anyway)."""
    return hashlib.sha256(source_id.encode()).digest()[0] % 2 == 0


# --- VL-RewardBench ---------------------------------------------------------------------------


def vl_rewardbench_category(source_id: str) -> str:
    """The official id-prefix rule (cal.py, after its 2025 fix): 183 / 749 / 318."""
    if source_id.startswith(("hallucination_pair", "RLAIF-V", "RLHF-V")):
        return "hallucination"
    if source_id.startswith(("mathverse", "mmmu_pro")):
        return "reasoning"
    return "general"


def _vl_rewardbench(record: dict, context: Context) -> dict | str:
    responses = _as_list(record["response"])
    label = _preferred_by_ranking(record["human_ranking"])
    if len(responses) != 2:
        return f"response holds {len(responses)} responses, not 2"
    if label is None:
        return f"human_ranking {list(_as_list(record['human_ranking']))} names no single preferred response"
    image, problem = decode_image(record["image"], context.roots)
    if image is None:
        return problem
    return _pair(image, record["query"], *responses, label, vl_rewardbench_category(record["id"]))


VL_REWARDBENCH = Adapter(
    name="vl_rewardbench",
    files=("data/test-*.parquet",),
    image_root="",
    allow_patterns=("data/test-*.parquet", "README.md"),
    record_id=lambda record, index: str(record["id"]),
    convert=_vl_rewardbench,
    source="MMInstruction/VL-RewardBench @ 0e6e627, data/test-00000-of-00001.parquet",
    expects="the Hub dataset MMInstruction/VL-RewardBench as published (data/test-*.parquet)",
)


# --- MM-RLHF-RewardBench ----------------------------------------------------------------------

MM_RLHF_CATEGORIES = ("mcq", "long", "short", "safety", "video")
_MM_RLHF_RELATIVE = re.compile(rf"(?:^|/)((?:{'|'.join(MM_RLHF_CATEGORIES)})/.*)$")


def mm_rlhf_category(path: str) -> str:
    """The first category keyword found in the item's path (get_acc.py's rule)."""
    return next((keyword for keyword in MM_RLHF_CATEGORIES if keyword in path), "other")


def _relative_media_path(path: str) -> str:
    """``mcq/073712.png`` from the GitHub copy, or from an absolute path on the authors' machine (a guess
    about the Hub copy, whose jsonl is larger)."""
    match = _MM_RLHF_RELATIVE.search(path)
    return match[1] if match else path


def sampled_frames(folder: Path, count: int) -> list[Path]:
    """``count`` frames spread evenly over a folder of frames, in file-name order (as R1-Reward's
    README example sorts them)."""
    frames = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not frames:
        return []
    picks = np.linspace(0, len(frames) - 1, min(count, len(frames))).round().astype(int)
    return [frames[i] for i in dict.fromkeys(picks.tolist())]


def _mm_rlhf_media(record: dict, context: Context) -> tuple[bytes | None, list[bytes] | None, str | None]:
    video = record.get("video")
    if video:  # a record is a video item only when `video` is non-empty
        relative = _relative_media_path(str(video))
        candidates = [relative, relative.removeprefix("video/")]
        folder = next((root / c for c in candidates for root in context.roots if (root / c).is_dir()), None)
        if folder is None:
            return None, None, f"missing video frames {video}"
        frames = sampled_frames(folder, context.options.get("video_frames") or VIDEO_FRAMES)
        if not frames:
            return None, None, f"no frames in {video}"
        data = [frame.read_bytes() for frame in frames]
        return data[len(data) // 2], data, None
    relative = _relative_media_path(str(record.get("image") or ""))
    if not relative or resolve_path(relative, context.roots) is None:
        return None, None, f"missing image {record.get('image')}"
    image, problem = decode_image(relative, context.roots)
    return image, None, problem


def _mm_rlhf_rewardbench(record: dict, context: Context) -> dict | str:
    image, frames, problem = _mm_rlhf_media(record, context)
    if image is None:
        return problem
    first = chosen_first(f"{record['id']}|{record['chosen'][:200]}|{record['rejected'][:200]}")
    responses = (record["chosen"], record["rejected"]) if first else (record["rejected"], record["chosen"])
    category = mm_rlhf_category(str(record.get("video") or record.get("image") or ""))
    return {
        **_pair(image, record["prompt"], *responses, 1 if first else 2, category, str(record["id"])),
        "frames": frames,
    }


MM_RLHF_REWARDBENCH = Adapter(
    name="mm_rlhf_rewardbench",
    files=("mm_reward_bench.jsonl",),
    image_root="images",
    allow_patterns=("mm_reward_bench.jsonl", "images/**", "README.md"),
    record_id=lambda record, index: str(record["id"]),
    convert=_mm_rlhf_rewardbench,
    source="yifanzhang114/MM-RLHF-RewardBench @ 0d285ab, mm_reward_bench.jsonl + images/",
    expects="the Hub dataset yifanzhang114/MM-RLHF-RewardBench as published (mm_reward_bench.jsonl, images/)",
)


# --- Multimodal RewardBench -------------------------------------------------------------------


def multimodal_rewardbench_category(record: dict) -> str:
    """Six categories; safety split into bias/toxicity and reasoning into math/coding by the lower-cased ID."""
    category, source_id = record["Category"], str(record["ID"]).lower()
    if category == "safety":
        return "safety/bias" if source_id.startswith("pairs") else "safety/toxicity"
    if category == "reasoning":
        return "reasoning/math" if source_id.startswith("math") else "reasoning/coding"
    return category


def _multimodal_rewardbench(record: dict, context: Context) -> dict | str:
    if record.get("Better") not in ("Output1", "Output2"):
        return f"Better is {record.get('Better')!r}, not Output1 or Output2"
    image, problem = decode_image(record["Image"], context.roots)
    if image is None:
        return problem
    label = 1 if record["Better"] == "Output1" else 2
    return _pair(
        image, record["Text"], record["Output1"], record["Output2"], label, multimodal_rewardbench_category(record)
    )


MULTIMODAL_REWARDBENCH = Adapter(
    name="multimodal_rewardbench",
    files=("data/all_data.json",),
    image_root="data",
    allow_patterns=("data/all_data.json", "data/images/**"),
    record_id=lambda record, index: str(record["ID"]),
    convert=_multimodal_rewardbench,
    expects=(
        "a clone of github.com/facebookresearch/multimodal_rewardbench after its scripts/0_download_data.py "
        "(data/all_data.json and data/images/)"
    ),
    source="facebookresearch/multimodal_rewardbench @ b4b92cd, data/all_data.json (after scripts/0_download_data.py)",
)

BENCHMARK_ADAPTERS = (VL_REWARDBENCH, MM_RLHF_REWARDBENCH, MULTIMODAL_REWARDBENCH)
