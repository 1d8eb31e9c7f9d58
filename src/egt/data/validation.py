"""Row-level validation of preference pairs: bad rows are quarantined with a reason, never dropped.

rows in = rows kept + rows quarantined, always.
"""

from __future__ import annotations

import io

import polars as pl
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


def validate_pairs(pairs: pl.DataFrame, reasoning: bool = False) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split ``pairs`` into (kept, quarantined); a duplicate ``pair_id`` keeps its first row."""
    reasons: dict[int, list[str]] = {}
    seen: set[str] = set()
    columns = ["pair_id", "image", "question", "response_1", "response_2", "label"] + (
        ["reasoning"] if reasoning else []
    )
    for index, row in enumerate(pairs.select(columns).iter_rows(named=True)):
        problems = row_problems(row, reasoning)
        if row["pair_id"] in seen:
            problems.append(f"duplicate pair_id {row['pair_id']!r}")
        seen.add(row["pair_id"])
        if problems:
            reasons[index] = problems
    bad = pl.Series("row", sorted(reasons), dtype=pl.UInt32)
    indexed = pairs.with_row_index("row")
    kept = indexed.filter(~pl.col("row").is_in(bad.implode())).drop("row")
    quarantined = pl.DataFrame(
        {
            "row": bad,
            "pair_id": [pairs["pair_id"][i] for i in bad],
            "reason": ["; ".join(reasons[i]) for i in bad],
        },
        schema=QUARANTINE_SCHEMA,
    )
    assert kept.height + quarantined.height == pairs.height
    return kept, quarantined


def validation_report(source: str, rows_in: int, quarantined: pl.DataFrame) -> dict:
    counts = quarantined.group_by("reason").len().sort("len", descending=True)
    return {
        "source": source,
        "rows_in": rows_in,
        "rows_kept": rows_in - quarantined.height,
        "rows_quarantined": quarantined.height,
        "reasons": {r["reason"]: r["len"] for r in counts.iter_rows(named=True)},
    }
