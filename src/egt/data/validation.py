"""Row-level validation of preference pairs: bad rows are quarantined with a reason, never dropped.

rows in = rows kept + rows quarantined, always.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from PIL import Image, UnidentifiedImageError

from egt.judging import parse_judgment

QUARANTINE_SCHEMA = {
    "row": pl.UInt32,  # 0-based row number in the input file
    "pair_id": pl.String,
    "reason": pl.String,
}


def image_problem(data: bytes | None) -> str | None:
    if data is None or len(data) == 0:
        return "missing image"
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        return f"unreadable image ({type(error).__name__})"
    return None


def row_problems(row: dict, reasoning: bool) -> list[str]:
    problems = []
    if not row["pair_id"]:
        problems.append("empty pair_id")
    problem = image_problem(row["image"])
    if problem:
        problems.append(problem)
    bad_frames = [i for i, frame in enumerate(row.get("frames") or []) if image_problem(frame)]
    if bad_frames:
        problems.append(f"unreadable video frames {bad_frames}")
    if row["label"] not in (1, 2):
        problems.append(f"label {row['label']!r} is not 1 or 2")
    for field in ("question", "response_1", "response_2"):
        if row[field] is None or not row[field].strip():
            problems.append(f"empty {field}")
    if row["response_1"] and row["response_1"] == row["response_2"]:
        problems.append("identical responses")
    if reasoning:
        if not row["reasoning"] or not parse_judgment(row["reasoning"]).format_ok:
            problems.append("reasoning is not in the <think>…</think><answer>1|2</answer> format")
        elif parse_judgment(row["reasoning"]).answer != row["label"]:
            problems.append("reasoning answer disagrees with label")
    return problems


def _check_batch(pairs: pl.DataFrame, reasoning: bool, seen: set[str], first_row: int) -> dict[int, list[str]]:
    """Problems by row number (counted from ``first_row``); ``seen`` carries pair ids across batches."""
    columns = ["pair_id", "image", "question", "response_1", "response_2", "label"]
    columns += [c for c in ("frames", "reasoning") if c in pairs.columns and (c == "frames" or reasoning)]
    reasons = {}
    for index, row in enumerate(pairs.select(columns).iter_rows(named=True), first_row):
        problems = row_problems({"reasoning": None, **row}, reasoning)
        if row["pair_id"] in seen:
            problems.append(f"duplicate pair_id {row['pair_id']!r}")
        seen.add(row["pair_id"])
        if problems:
            reasons[index] = problems
    return reasons


def _split(pairs: pl.DataFrame, reasons: dict[int, list[str]], first_row: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    bad = pl.Series("row", sorted(reasons), dtype=pl.UInt32)
    indexed = pairs.with_row_index("row", offset=first_row)
    kept = indexed.filter(~pl.col("row").is_in(bad.implode())).drop("row")
    quarantined = pl.DataFrame(
        {
            "row": bad,
            "pair_id": [pairs["pair_id"][i - first_row] for i in bad],
            "reason": ["; ".join(reasons[i]) for i in bad],
        },
        schema=QUARANTINE_SCHEMA,
    )
    return kept, quarantined


def validate_pairs(pairs: pl.DataFrame, reasoning: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split ``pairs`` into (kept, quarantined); a duplicate ``pair_id`` keeps its first row."""
    kept, quarantined = _split(pairs, _check_batch(pairs, reasoning, set(), 0), 0)
    assert kept.height + quarantined.height == pairs.height
    return kept, quarantined


def validate_file(path: str | Path, kept_out: str | Path, reasoning: bool, batch_rows: int = 512) -> pl.DataFrame:
    """Validate a parquet file batch by batch, writing the kept rows to ``kept_out``; returns the
    quarantined rows. Memory stays bounded by a batch (a 2.85 GB RL pool never sits in memory)."""
    source = pq.ParquetFile(path)
    kept_out = Path(kept_out)
    tmp = kept_out.with_name(f".{kept_out.name}.tmp-{os.getpid()}")
    seen: set[str] = set()
    quarantined, row = [], 0
    with pq.ParquetWriter(tmp, source.schema_arrow) as writer:
        for batch in source.iter_batches(batch_size=batch_rows):
            pairs = pl.from_arrow(batch)
            kept, bad = _split(pairs, _check_batch(pairs, reasoning, seen, row), row)
            writer.write_table(kept.to_arrow().cast(source.schema_arrow))
            quarantined.append(bad)
            row += pairs.height
    tmp.replace(kept_out)
    return pl.concat(quarantined) if quarantined else pl.DataFrame(schema=QUARANTINE_SCHEMA)


def validation_report(source: str, rows_in: int, quarantined: pl.DataFrame) -> dict:
    counts = quarantined.group_by("reason").len().sort("len", descending=True)
    return {
        "source": source,
        "rows_in": rows_in,
        "rows_kept": rows_in - quarantined.height,
        "rows_quarantined": quarantined.height,
        "reasons": {r["reason"]: r["len"] for r in counts.iter_rows(named=True)},
    }
