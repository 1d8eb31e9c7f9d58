"""Replicas of the real sources in their exact published layouts, for tests and offline rehearsals.

Each builder writes a folder laid out as the source is published (file names, folders, column
types: image structs, base64 strings, JSONL with relative paths, the Multimodal RewardBench
``data/`` tree with ``original_data/``), filled from real records (the text of VL-RewardBench and
MM-RLHF-RewardBench as released; see ``tools/make_replicas.py`` for where they are read from) and
small generated images. The layouts' sources are cited in ``egt.data.benchmarks`` and
``egt.data.sources``; what could not be verified is marked there as a guess.

Multimodal RewardBench's record file is not public in small form: its replica's records are built
from the documented fields (``ID, Image, Text, Output1, Output2, Better, Category``) with texts from
the other benchmarks' real records.
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


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data)


# --- VL-RewardBench (Hub layout) --------------------------------------------------------------


def vl_rewardbench(out: Path, records: list[dict]) -> Path:
    """``data/test-00000-of-00001.parquet`` with the image as a ``{bytes, path}`` struct, beside the
    tsv and zip that the Hub snapshot also holds (tiny decoys here: nothing may read them)."""
    rows = [
        {
            **{k: r[k] for k in ("id", "query", "judge", "rationale", "query_source", "ground_truth")},
            "response": list(r["response"]),
            "image": {"bytes": picture(i), "path": Path(r["image"]).name},
            "human_ranking": [int(x) for x in r["human_ranking"]],
            "models": list(r["models"]),
        }
        for i, r in enumerate(records)
    ]
    schema = {
        "id": pl.String,
        "query": pl.String,
        "response": pl.List(pl.String),
        "image": pl.Struct({"bytes": pl.Binary, "path": pl.String}),
        "human_ranking": pl.List(pl.Int64),
        "models": pl.List(pl.String),
        "judge": pl.String,
        "rationale": pl.String,
        "query_source": pl.String,
        "ground_truth": pl.String,
    }
    (out / "data").mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=schema).write_parquet(out / "data/test-00000-of-00001.parquet")
    _write(out / "README.md", "---\nlicense: mit\n---\n# VL-RewardBench (replica)\n")
    _write(out / "vl_rewardbench.tsv", "index\tquestion\n0\tdecoy: the Hub's VLMEvalKit copy; never read\n")
    _write(out / "inference_results.zip", b"PK\x05\x06" + b"\x00" * 18)
    return out


# --- MM-RLHF-RewardBench (Hub layout) ---------------------------------------------------------


def mm_rlhf_rewardbench(out: Path, records: list[dict], frames_per_video: int = 12) -> Path:
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
                    _write(folder / f"c01_{frame + 1:04d}.jpeg", picture(10_000 * (i + 1) + frame, kind="JPEG"))
        else:
            target = out / "images" / record["image"]
            if not target.exists():
                _write(target, picture(i))
    _write(out / "mm_reward_bench.jsonl", "\n".join(lines) + "\n")
    columns = ["id", "image", "video", "prompt", "chosen", "rejected", "chosen_reason", "rejected_reason"]
    frame = pl.DataFrame([{c: r.get(c) for c in columns} for r in records], schema={c: pl.String for c in columns})
    (out / "data").mkdir(parents=True, exist_ok=True)
    frame.write_parquet(out / "data/train-00000-of-00001.parquet")
    _write(out / "README.md", "# MM-RLHF-RewardBench (replica)\n")
    return out


# --- Multimodal RewardBench (GitHub repository after scripts/0_download_data.py) --------------

# (ID prefix, image folder, Category): the sources of the release, in the ID styles the scorer sees.
MMRB_SOURCES = [
    ("nocaps", "nocaps", "open_generation/correctness_task"),
    ("visitbench", "visitbench", "open_generation/preference_task"),
    ("mmmu-s", "mmmu-s", "knowledge"),
    ("MathVista", "mathvista", "reasoning"),  # upper case: the scorer lower-cases the ID
    ("EMMA-Coding", "EMMA-Coding", "reasoning"),
    ("PAIRS", "pairs", "safety"),
    ("hateful_memes", "hateful_memes", "safety"),  # images not distributed
    ("RealworldQA", "RealworldQA", "vqa"),
]


def multimodal_rewardbench(out: Path, texts: list[dict], per_source: int = 5) -> Path:
    """The repository's ``data/`` after the download script: ``all_data.json`` (with ``Text``),
    ``all_data_release.json`` (the shipped file, ``Text`` empty), ``images/<source>/``,
    ``original_data/*.json`` (lists with nulls) and a prediction file in ``outputs/``. Hateful Memes
    records point to images that are not there, as in a real download."""
    records, index = [], 0
    for prefix, folder, category in MMRB_SOURCES:
        for k in range(per_source):
            source = texts[index % len(texts)]
            image = f"images/{folder}/{k}.jpg"
            if folder != "hateful_memes":
                _write(out / "data" / image, picture(50_000 + index, kind="JPEG"))
            records.append(
                {
                    "ID": f"{prefix}_{k}",
                    "Image": image,
                    "Text": source["question"],
                    "Output1": source["chosen"] if index % 2 else source["rejected"],
                    "Output2": source["rejected"] if index % 2 else source["chosen"],
                    "Better": "Output1" if index % 2 else "Output2",
                    "Category": category,
                }
            )
            index += 1
    records[1]["Better"] = "Tie"  # a value naming no single preferred response: skipped with its reason
    _write(out / "data/all_data.json", json.dumps(records, indent=2))
    _write(out / "data/all_data_release.json", json.dumps([{**r, "Text": ""} for r in records]))
    for _, folder, _ in MMRB_SOURCES[:3]:
        _write(out / f"data/original_data/{folder}.json", json.dumps([None, {"image": f"images/{folder}/0.jpg"}]))
    _write(out / "outputs/example.jsonl", json.dumps({"ID": records[0]["ID"], "Label": "A", "output": "[[A]]"}) + "\n")
    _write(out / "README.md", "# multimodal_rewardbench (replica)\n")
    return out


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
    _write(out / "README.md", "---\nconfigs:\n- config_name: default\n  data_files: data/train-*\n---\n")
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


def rehearsal_sources(out: Path, vl_records: list[dict], mm_records: list[dict], sizes: dict | None = None) -> dict:
    """Everything the rehearsal config reads: a Hub mirror (``<out>/hub/<org>/<name>``) of the three
    Hub sources and the two local folders. Returns their paths."""
    sizes = {"vl_rewardbench": 14, "mm_rlhf": 16, "mmrb_per_source": 2, "r1_rows": 30, "sft": 24, **(sizes or {})}
    texts = texts_from(mm_records)
    hub = out / "hub"
    # a stratified sample of VL-RewardBench: every id prefix the scorer splits on
    by_kind: dict[str, list[dict]] = {}
    for record in vl_records:
        by_kind.setdefault(record["id"].split("-")[0].split("_")[0], []).append(record)
    per_kind = max(1, sizes["vl_rewardbench"] // len(by_kind))
    vl_sample = [r for group in by_kind.values() for r in group[:per_kind]]
    paths = {
        "vl_rewardbench": vl_rewardbench(hub / "MMInstruction/VL-RewardBench", vl_sample),
        "mm_rlhf_rewardbench": mm_rlhf_rewardbench(
            hub / "yifanzhang114/MM-RLHF-RewardBench", _whole_groups(mm_records, sizes["mm_rlhf"])
        ),
        "r1_reward_rl": r1_reward_rl(hub / "yifanzhang114/R1-Reward-RL", texts, sizes["r1_rows"]),
        "multimodal_rewardbench": multimodal_rewardbench(
            out / "local/multimodal_rewardbench", texts, sizes["mmrb_per_source"]
        ),
        "sft_candidates": sft_candidates(out / "local/sft_candidates", texts, sizes["sft"]),
    }
    return {name: str(path) for name, path in paths.items()}


def _whole_groups(records: list[dict], at_least: int) -> list[dict]:
    """The first records, ending at an ``id`` group boundary, with every category (video included)."""
    ids = {
        next(r["id"] for r in records if category in (r.get("image") or r.get("video") or ""))
        for category in ("mcq", "long", "short", "safety", "video")
    }
    for record in records:
        if sum(r["id"] in ids for r in records) >= at_least:
            break
        ids.add(record["id"])
    return [r for r in records if r["id"] in ids]
