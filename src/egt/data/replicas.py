"""Replicas of the real sources in their exact published layouts, for tests and offline rehearsals.

Each builder writes a folder laid out as the source is published (file names, folders, column
types: image structs, base64 strings, JSONL with relative paths, the Multimodal RewardBench
``data/`` tree with ``original_data/``), filled from real records (the text of VL-RewardBench and
MM-RLHF-RewardBench as released; see ``tools/make_replicas.py`` for where they are read from) and
small generated images. The layouts' sources are cited in ``egt.data.sources``; what could not be
verified is marked there as a guess. Each benchmark's replica lives with its reader, in
``egt/benchmarks/<name>.py``; egt.rehearsal assembles every source the rehearsal reads.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import polars as pl
from PIL import Image, ImageDraw

from egt.judging import judge_prompt_text

R1_SHARDS = 6


def picture(seed: int, size: int = 48, kind: str = "PNG") -> bytes:
    """A small, distinct image: a coloured shape on a coloured background."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    corner = rng.integers(4, size // 2, 2)
    draw.ellipse([*corner, *(corner + size // 3)], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def noise_jpeg(seed: int, size: int = 352, quality: int = 92) -> bytes:
    """A JPEG that compresses badly (random noise): ~120 KB at 352 px, like a real photo."""
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def write_file(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data)


# --- R1-Reward-RL (Hub layout) ----------------------------------------------------------------


def r1_reward_rl_rows(texts: list[dict], rows: int, image_bytes=None, seed: int = 0) -> list[dict]:
    """Rows of R1-Reward-RL: question, message (a JSON string: R1-Reward's prompt with both responses
    and an image block naming the authors' path), answer (a list with one ``<answer>k</answer>``)
    and the image itself as base64 text (the likely form of the published ``image`` column)."""
    rng = np.random.default_rng(seed)
    image_bytes = image_bytes or (lambda i: picture(i, kind="JPEG"))
    out = []
    for i in range(rows):
        source = texts[i % len(texts)]
        chosen_first = bool(rng.integers(0, 2))
        first, second = (
            (source["chosen"], source["rejected"]) if chosen_first else (source["rejected"], source["chosen"])
        )
        path = f"/mmu_mllm_hdd/yfzhang/data/RLAIF-V-image/{i:06d}.jpg"
        prompt = judge_prompt_text(source["question"], first, second, "r1_reward")
        message = [{"role": "user", "content": [{"type": "text", "text": prompt}, {"type": "image", "image": path}]}]
        out.append(
            {
                "question": source["question"],
                "message": json.dumps(message),
                "answer": [f"<answer>{1 if chosen_first else 2}</answer>"],
                "image": base64.b64encode(image_bytes(i)).decode(),
            }
        )
    return out


def r1_reward_rl(
    out: Path, texts: list[dict], rows: int, image_bytes=None, broken: bool = True, row_group_size: int = 1000
) -> Path:
    """Six shards ``data/train-0000k-of-00006.parquet``; with ``broken``, a few records no adapter
    can use (an answer that is not 1 or 2, a message that is not JSON, an image that decodes to
    nothing), so skips are exercised. Row groups of 1,000 rows: ``datasets``' default writer batch
    (a guess about the published shards, which decides how much a reader holds at once)."""
    table = r1_reward_rl_rows(texts, rows, image_bytes)
    if broken and rows >= 6:
        table[1]["answer"] = ["<answer>3</answer>"]
        table[2]["message"] = "not json"
        table[3]["image"] = "not-an-image.jpg"
    schema = {"question": pl.String, "message": pl.String, "answer": pl.List(pl.String), "image": pl.String}
    (out / "data").mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, rows, R1_SHARDS + 1).astype(int)
    for shard in range(R1_SHARDS):
        chunk = table[bounds[shard] : bounds[shard + 1]]
        frame = pl.DataFrame(chunk, schema=schema)
        frame.write_parquet(out / f"data/train-{shard:05d}-of-{R1_SHARDS:05d}.parquet", row_group_size=row_group_size)
    write_file(out / "README.md", "---\nconfigs:\n- config_name: default\n  data_files: data/train-*\n---\n")
    return out


# --- phase-1 candidates in egt's own schema ---------------------------------------------------


def sft_candidates(out: Path, texts: list[dict], rows: int) -> Path:
    """Pairs without traces (``train.parquet``, egt_pairs layout) for the teacher to reason about."""
    table = [
        {
            "pair_id": f"cand-{i:05d}",
            "image": picture(90_000 + i),
            "question": t["question"],
            "response_1": t["chosen"] if i % 2 else t["rejected"],
            "response_2": t["rejected"] if i % 2 else t["chosen"],
            "label": 1 if i % 2 else 2,
        }
        for i, t in enumerate(texts[i % len(texts)] for i in range(rows))
    ]
    out.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(table, schema_overrides={"label": pl.Int8}).write_parquet(out / "train.parquet")
    return out


def texts_from(mm_rlhf_records: list[dict]) -> list[dict]:
    """Question, chosen and rejected texts of real records (MM-RLHF-RewardBench's)."""
    return [{"question": r["prompt"], "chosen": r["chosen"], "rejected": r["rejected"]} for r in mm_rlhf_records]
