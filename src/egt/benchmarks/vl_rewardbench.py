"""VL-RewardBench: its published layout, its authors' scorer, its replica.

Layout (checked 2026-11-29; docs/data.md): Hub ``MMInstruction/VL-RewardBench`` @ 0e6e627 holds
``data/test-00000-of-00001.parquet`` (image as a ``{bytes, path}`` struct, ``response`` and
``human_ranking`` as lists) beside a 114 MB ``vl_rewardbench.tsv`` and an 85 MB ``inference_results.zip``
that nothing here reads. ``human_ranking`` [0, 1] prefers the first response (dataset card).

Scoring (vl-rewardbench/VL_RewardBench @ 9b10abd, ``cal.py``): categories by the official id-prefix rule
(183 general / 749 hallucination / 318 reasoning); an item whose answer names no number is left out of
the denominator; one naming the rejected response's position (2) is wrong, any other number right;
Overall = micro over the rest, Macro = mean of the three categories. R1-Reward's own ``get_acc.py``
(yfzhang114/r1_reward @ 3693413) counts unparseable items wrong and splits by a case-sensitive substring
rule (484 / 448 / 318); the R1-Reward paper's category and Macro figures use that split, so it is
reported too. Answers are read by R1-Reward's extraction (egt.evaluation.official), fallback "last".
"""

from __future__ import annotations

import ast
from pathlib import Path

import polars as pl

from egt.benchmarks import Benchmark, register
from egt.data.adapters import Adapter, Context, pair_row
from egt.data.images import decode_image
from egt.data.replicas import picture, write_file
from egt.evaluation.official import accuracy, as_whole_number, by_key, fmt, r1_answer

NAME = "vl_rewardbench"
CATEGORIES = ("general", "hallucination", "reasoning")

# --- reader -----------------------------------------------------------------------------------


def _as_list(value) -> list:
    """Lists come as lists, numpy arrays (pandas) or, in some copies, their Python repr."""
    return ast.literal_eval(value) if isinstance(value, str) else list(value)


def _preferred_by_ranking(ranking) -> int | None:
    """1 or 2 from a two-item rank list (0 = best); None for a tie or anything else."""
    ranks = [int(r) for r in _as_list(ranking)]
    if len(ranks) == 2 and sorted(ranks) == [0, 1]:
        return 1 if ranks[0] == 0 else 2
    return None


def category(source_id: str) -> str:
    """The official id-prefix rule (cal.py, after its 2025 fix): 183 / 749 / 318."""
    if source_id.startswith(("hallucination_pair", "RLAIF-V", "RLHF-V")):
        return "hallucination"
    if source_id.startswith(("mathverse", "mmmu_pro")):
        return "reasoning"
    return "general"


def _convert(record: dict, context: Context) -> dict | str:
    responses = _as_list(record["response"])
    label = _preferred_by_ranking(record["human_ranking"])
    if len(responses) != 2:
        return f"response holds {len(responses)} responses, not 2"
    if label is None:
        return f"human_ranking {list(_as_list(record['human_ranking']))} names no single preferred response"
    image, problem = decode_image(record["image"], context.roots)
    if image is None:
        return problem
    return pair_row(image, record["query"], *responses, label, category(record["id"]))


ADAPTER = Adapter(
    name=NAME,
    files=("data/test-*.parquet",),
    image_root="",
    allow_patterns=("data/test-*.parquet", "README.md"),
    record_id=lambda record, index: str(record["id"]),
    convert=_convert,
    source="MMInstruction/VL-RewardBench @ 0e6e627, data/test-00000-of-00001.parquet",
    expects="the Hub dataset MMInstruction/VL-RewardBench as published (data/test-*.parquet)",
)

# --- scorer -----------------------------------------------------------------------------------


def r1_paper_category(source_id: str) -> str:
    """R1-Reward's get_acc.py split (case-sensitive substrings: RLAIF-V/RLHF-V ids land in general)."""
    if "mmmu" in source_id or "mathverse" in source_id:
        return "reasoning"
    if "hallucination" in source_id or "rlhf" in source_id or "rlaif" in source_id:
        return "hallucination"
    return "general"


def score(first: pl.DataFrame) -> dict:
    numbers = [as_whole_number(r1_answer(t, "last")) for t in first["text"]]
    ids, categories = first["pair_id"].to_list(), first["category"].to_list()
    parsed = [(c, n != 2) for c, n in zip(categories, numbers, strict=True) if n is not None]
    official = by_key([c for c, _ in parsed], [right for _, right in parsed])
    r1_right = [n == 1 for n in numbers]
    r1_split = by_key([r1_paper_category(i.split("#")[0]) for i in ids], r1_right)
    return {
        "pairs": first.height,
        "excluded_unparseable": first.height - len(parsed),
        "overall": accuracy(right for _, right in parsed),
        "macro": accuracy(c["accuracy"] for c in official.values()),
        "categories": official,
        "r1_reward_split": {
            "overall": accuracy(r1_right),
            "macro": accuracy(c["accuracy"] for c in r1_split.values()),
            "categories": r1_split,
        },
    }


def headline(official: dict) -> str:
    r1 = official["r1_reward_split"]
    return (
        f"overall {fmt(official['overall'])}, macro {fmt(official['macro'])} "
        f"({official['excluded_unparseable']} unparseable left out); R1-Reward's split: macro {fmt(r1['macro'])}"
    )


# --- replica ----------------------------------------------------------------------------------


def replica(out: Path, records: list[dict]) -> Path:
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
    write_file(out / "README.md", "---\nlicense: mit\n---\n# VL-RewardBench (replica)\n")
    write_file(out / "vl_rewardbench.tsv", "index\tquestion\n0\tdecoy: the Hub's VLMEvalKit copy; never read\n")
    write_file(out / "inference_results.zip", b"PK\x05\x06" + b"\x00" * 18)
    return out


def stratified(records: list[dict], size: int | None) -> list[dict]:
    """About ``size`` records with every id prefix the scorers split on (all of them for None)."""
    if size is None:
        return records
    by_kind: dict[str, list[dict]] = {}
    for record in records:
        by_kind.setdefault(record["id"].split("-")[0].split("_")[0], []).append(record)
    per_kind = max(1, size // len(by_kind))
    return [r for group in by_kind.values() for r in group[:per_kind]]


register(
    Benchmark(
        ADAPTER,
        score,
        headline,
        CATEGORIES,
        lambda out, real, size: replica(out, stratified(real[NAME], size)),
        hub_repo="MMInstruction/VL-RewardBench",
        rehearsal_size=14,
    )
)
