"""Judging a table of preference pairs: batches, progress, and a resumable judgment cache."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import torch
from tqdm.auto import tqdm

from egt.generation.judge import judge_batch
from egt.generation.sampling import Sampling
from egt.schemas import ROLLOUT_SCHEMA


def read_judgment_cache(cache: str | Path | None) -> dict[str, list[dict]]:
    """The judgments a JSONL cache holds, by pair (any engine's; a half-written last line is ignored)."""
    cached: dict[str, list[dict]] = {}
    if cache is not None and Path(cache).exists():
        for line in Path(cache).read_text().splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # the line being written when the job was killed
                continue
            cached.setdefault(row["pair_id"], []).append(row)
    return cached


def judge_pairs(
    model,
    processor,
    pairs: pl.DataFrame,
    sampling: Sampling,
    batch_size: int,
    seed: int,
    *,
    template: str,
    swap: bool = False,
    desc: str = "judging",
    cache: str | Path | None = None,
    score_rows: int | None = None,
) -> pl.DataFrame:
    """Judge every pair; ``batch_size`` counts pairs per generate call.

    With ``cache`` (a JSONL file), every finished batch is appended to it and pairs already in
    it are not judged again, so a killed run continues where it stopped. Only for greedy
    decoding, whose results do not depend on what was judged before. ``score_rows`` bounds the
    completions of one teacher-forced entropy pass (:mod:`egt.generation.scoring`).
    """
    if cache is not None and not sampling.greedy:
        raise ValueError("a judgment cache is only consistent for greedy decoding")
    num_samples = sampling.num_samples
    torch.manual_seed(seed)
    model.eval()
    cached = read_judgment_cache(cache)
    columns = ["pair_id", "image", "question", "response_1", "response_2"] + (
        ["frames"] if "frames" in pairs.columns else []
    )
    records = pairs.select(columns).to_dicts()
    todo = [r for r in records if len(cached.get(r["pair_id"], [])) != num_samples]
    if cached:
        print(f"{desc}: {len(records) - len(todo)} pairs already judged in {cache}, judging {len(todo)}", flush=True)
    sink = open(cache, "a") if cache is not None else None  # noqa: SIM115 - closed below
    try:
        with tqdm(total=len(records), initial=len(records) - len(todo), desc=desc, unit="pair") as progress:
            for start in range(0, len(todo), batch_size):
                batch = todo[start : start + batch_size]
                rows = judge_batch(model, processor, batch, sampling, template, swap, score_rows)
                for record in batch:
                    cached[record["pair_id"]] = []
                for row in rows:
                    cached[row["pair_id"]].append(row)
                if sink is not None:
                    sink.write("".join(json.dumps(row) + "\n" for row in rows))
                    sink.flush()
                progress.update(len(batch))
    finally:
        if sink is not None:
            sink.close()
    ordered = [row for r in records for row in sorted(cached[r["pair_id"]], key=lambda x: x["sample"])]
    return pl.DataFrame(ordered, schema=ROLLOUT_SCHEMA)
