"""Rule teacher_traces: reasoning traces from an OpenAI-compatible endpoint, fidelity-filtered."""

import os
from pathlib import Path

from egt.data.teacher import ChatClient, distill_traces
from egt.io import read_parquet, redirect_output, write_json, write_parquet
from egt.provenance.fingerprint import claim_folder, fingerprint, frame_digest
from egt.schemas import PAIR_COLUMNS

redirect_output(snakemake.log[0])
teacher = snakemake.params.teacher
pairs = read_parquet(snakemake.input[0], PAIR_COLUMNS)
client = ChatClient(
    base_url=teacher["base_url"],
    model=teacher["model"],
    api_key=os.environ.get(teacher["api_key_env"]),  # the key itself never reaches params, logs or files
    temperature=teacher["temperature"],
    max_tokens=teacher["max_tokens"],
    timeout_s=teacher["timeout_s"],
)
# cached answers are reused only for the same teacher, sampling settings, prompt and pairs
settings = {**{k: v for k, v in teacher.items() if k != "concurrency"}, "template": snakemake.params.template}
claim_folder(snakemake.params.cache_dir, fingerprint(teacher=settings, pairs=frame_digest(pairs)))
kept, dropped = distill_traces(
    pairs,
    client,
    Path(snakemake.params.cache_dir) / "answers.jsonl",
    teacher["attempts"],
    teacher["concurrency"],
    snakemake.params.template,
)
write_parquet(kept, snakemake.output.pairs)
write_parquet(dropped, snakemake.output.dropped)
stats = {"pairs_in": pairs.height, "traces_kept": kept.height, "pairs_dropped": dropped.height}
write_json(stats, snakemake.output.stats)
print(f"teacher_traces: {stats}")
