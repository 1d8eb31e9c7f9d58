"""MM-RLHF-RewardBench: its published layout, its authors' scorer, its replica.

Layout (checked 2026-11-29; docs/data.md): Hub ``yifanzhang114/MM-RLHF-RewardBench`` @ 0d285ab holds the
same 170 records twice (``data/train-00000-of-00001.parquet`` and ``mm_reward_bench.jsonl``) and the
images under ``images/``; records name ``mcq/073712.png`` (no ``images/`` prefix) or a video
``video/<name>`` whose frames sit in ``images/<name>/`` (guess from the Hub tree: no ``images/video/``
folder; both places are tried). Category = a keyword of the path; pairs sharing an ``id`` form an Acc+
group (yfzhang114/r1_reward @ 3693413, ``inference/MM-RLHF-Reward/get_acc.py``).

Scoring (the same ``get_acc.py``): right iff the first (chosen) response is preferred, the answer read
by R1-Reward's extraction with the "first_line" fallback (``re.search(r"[12](?!.*[12])", critic)``
without DOTALL); Acc over all pairs (video included), Acc+ = share of ``id`` groups with every pair right.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import polars as pl

from egt.benchmarks import Benchmark, register
from egt.data.adapters import Adapter, Context, pair_row
from egt.data.images import decode_image, resolve_path
from egt.data.replicas import picture, write_file
from egt.evaluation.official import accuracy, as_number, fmt, r1_answer

NAME = "mm_rlhf_rewardbench"
VIDEO_FRAMES = 8  # frames sampled from a video item when the dataset spec sets none
CATEGORIES = ("mcq", "long", "short", "safety", "video")
_RELATIVE = re.compile(rf"(?:^|/)((?:{'|'.join(CATEGORIES)})/.*)$")

# --- reader -----------------------------------------------------------------------------------


def category(path: str) -> str:
    """The first category keyword found in the item's path (get_acc.py's rule)."""
    return next((keyword for keyword in CATEGORIES if keyword in path), "other")


def chosen_first(source_id: str) -> bool:
    """A fixed, content-independent position for a chosen/rejected pair (both orders are judged anyway)."""
    return hashlib.sha256(source_id.encode()).digest()[0] % 2 == 0


def _relative_media_path(path: str) -> str:
    """``mcq/073712.png`` from the GitHub copy, or from an absolute path on the authors' machine (a guess
    about the Hub copy, whose jsonl is larger)."""
    match = _RELATIVE.search(path)
    return match[1] if match else path


def sampled_frames(folder: Path, count: int) -> list[Path]:
    """``count`` frames spread evenly over a folder of frames, in file-name order (as R1-Reward's
    README example sorts them)."""
    frames = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not frames:
        return []
    picks = np.linspace(0, len(frames) - 1, min(count, len(frames))).round().astype(int)
    return [frames[i] for i in dict.fromkeys(picks.tolist())]


def _media(record: dict, context: Context) -> tuple[bytes | None, list[bytes] | None, str | None]:
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


def _convert(record: dict, context: Context) -> dict | str:
    image, frames, problem = _media(record, context)
    if image is None:
        return problem
    first = chosen_first(f"{record['id']}|{record['chosen'][:200]}|{record['rejected'][:200]}")
    responses = (record["chosen"], record["rejected"]) if first else (record["rejected"], record["chosen"])
    kind = category(str(record.get("video") or record.get("image") or ""))
    return {
        **pair_row(image, record["prompt"], *responses, 1 if first else 2, kind, str(record["id"])),
        "frames": frames,
    }


ADAPTER = Adapter(
    name=NAME,
    files=("mm_reward_bench.jsonl",),
    image_root="images",
    allow_patterns=("mm_reward_bench.jsonl", "images/**", "README.md"),
    record_id=lambda record, index: str(record["id"]),
    convert=_convert,
    source="yifanzhang114/MM-RLHF-RewardBench @ 0d285ab, mm_reward_bench.jsonl + images/",
    expects="the Hub dataset yifanzhang114/MM-RLHF-RewardBench as published (mm_reward_bench.jsonl, images/)",
)

# --- scorer -----------------------------------------------------------------------------------


def score(first: pl.DataFrame) -> dict:
    right = [as_number(r1_answer(t, "first_line")) == 1.0 for t in first["text"]]
    frame = first.select("category", "group").with_columns(pl.Series("right", right))
    groups = frame.group_by("group", "category").agg(pl.col("right").all())
    return {
        "pairs": first.height,
        "acc": accuracy(right),
        "acc_plus": accuracy(groups["right"].to_list()),
        "groups": groups.height,
        "categories": {
            kind: {
                "pairs": frame.filter(pl.col("category") == kind).height,
                "acc": accuracy(frame.filter(pl.col("category") == kind)["right"]),
                "acc_plus": accuracy(groups.filter(pl.col("category") == kind)["right"]),
            }
            for kind in sorted(frame["category"].unique().to_list())
        },
    }


def headline(official: dict) -> str:
    return f"Acc {fmt(official['acc'])}, Acc+ {fmt(official['acc_plus'])} ({official['groups']} groups)"


# --- replica ----------------------------------------------------------------------------------


def replica(out: Path, records: list[dict], frames_per_video: int = 12) -> Path:
    """``mm_reward_bench.jsonl`` and the same records in ``data/train-00000-of-00001.parquet`` (image
    and video columns, one of them null), images under ``images/<category>/``, a video's frames in
    ``images/<name>/``."""
    lines = []
    for i, record in enumerate(records):
        lines.append(json.dumps(record))
        if record.get("video"):
            folder = out / "images" / Path(record["video"]).name
            if not folder.exists():
                for frame in range(frames_per_video):
                    write_file(folder / f"c01_{frame + 1:04d}.jpeg", picture(10_000 * (i + 1) + frame, kind="JPEG"))
        else:
            target = out / "images" / record["image"]
            if not target.exists():
                write_file(target, picture(i))
    write_file(out / "mm_reward_bench.jsonl", "\n".join(lines) + "\n")
    columns = ["id", "image", "video", "prompt", "chosen", "rejected", "chosen_reason", "rejected_reason"]
    frame = pl.DataFrame([{c: r.get(c) for c in columns} for r in records], schema={c: pl.String for c in columns})
    (out / "data").mkdir(parents=True, exist_ok=True)
    frame.write_parquet(out / "data/train-00000-of-00001.parquet")
    write_file(out / "README.md", "# MM-RLHF-RewardBench (replica)\n")
    return out


def whole_groups(records: list[dict], at_least: int | None) -> list[dict]:
    """The first records, ending at an ``id`` group boundary, with every category (video included); all
    of them for None."""
    if at_least is None:
        return records
    ids = {next(r["id"] for r in records if kind in (r.get("image") or r.get("video") or "")) for kind in CATEGORIES}
    for record in records:
        if sum(r["id"] in ids for r in records) >= at_least:
            break
        ids.add(record["id"])
    return [r for r in records if r["id"] in ids]


register(
    Benchmark(
        ADAPTER,
        score,
        headline,
        (*CATEGORIES, "other"),
        lambda out, real, size: replica(out, whole_groups(real[NAME], size)),
        hub_repo="yifanzhang114/MM-RLHF-RewardBench",
        rehearsal_size=16,
    )
)
