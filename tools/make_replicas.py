"""Build local replicas of the paper's real sources in their exact published layouts.

    python tools/make_replicas.py resources/rehearsal      # what config/rehearsal.yaml reads

Writes <out>/hub/<org>/<name>/ (a Hub mirror of VL-RewardBench, MM-RLHF-RewardBench,
R1-Reward-RL and the base model Qwen/Qwen2.5-VL-7B-Instruct, scaled down: config key
data.hub_mirror) and <out>/local/ (Multimodal RewardBench as its download
script leaves it, and phase-1 candidates for the teacher). Texts come from the real records:
VL-RewardBench from ../shared/benchmarks/vl_rewardbench.json when present (else VL-RewardBench-style
records made from the MM-RLHF texts), MM-RLHF-RewardBench from tests/fixtures/records/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from egt.data import replicas  # noqa: E402
from egt.rehearsal import rehearsal_sources  # noqa: E402

VL_RECORDS = REPO.parent / "shared/benchmarks/vl_rewardbench.json"
MM_RECORDS = REPO / "tests/fixtures/records/mm_rlhf_rewardbench.jsonl"
# VL-RewardBench's id prefixes (one per category of its official split), for the fallback records
VL_PREFIXES = ["hallucination_pair", "RLAIF-V", "RLHF-V", "mathverse", "mmmu_pro", "wildvision-battle", "svit"]


def load_records() -> tuple[list[dict], list[dict]]:
    mm = [json.loads(line) for line in MM_RECORDS.read_text().splitlines() if line.strip()]
    if VL_RECORDS.is_file():
        return json.loads(VL_RECORDS.read_text()), mm
    vl = [
        {
            "id": f"{VL_PREFIXES[i % len(VL_PREFIXES)]}-{i}",
            "query": r["prompt"],
            "response": [r["chosen"], r["rejected"]],
            "image": f"images/{i}.png",
            "human_ranking": [0, 1],
            "models": ["m1", "m2"],
            "judge": "human",
            "rationale": "",
            "query_source": "replica",
            "ground_truth": "",
        }
        for i, r in enumerate(mm)
    ]
    return vl, mm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (e.g. resources/rehearsal)")
    out = parser.parse_args().out
    vl, mm = load_records()
    for name, path in rehearsal_sources(out, {"vl_rewardbench": vl, "mm_rlhf_rewardbench": mm}).items():
        print(f"{name}: {path}")
    from egt.judging import TEMPLATES
    from egt.model_replica import REPO_ID, build_qwen2_5_vl_replica

    # the tokenizer learns the judging prompts and the records' texts, as a real one has seen text like them
    texts = list(TEMPLATES.values()) * 20 + [t for r in replicas.texts_from(mm) for t in r.values()]
    model = build_qwen2_5_vl_replica(out / "hub" / REPO_ID, texts)
    print(f"base_model: {out / 'hub' / REPO_ID} ({model['parameters']:,} parameters, vocabulary {model['vocab_size']})")


if __name__ == "__main__":
    main()
