"""Rule base_model: build the tiny model (model.tiny.family), its tokenizer and processor, offline."""

import json

from egt.io import read_parquet, redirect_output
from egt.judging import TEMPLATES
from egt.modeling import build_tiny_base
from egt.schemas import SFT_COLUMNS

redirect_output(snakemake.log[0])
sft = read_parquet(snakemake.input.sft, SFT_COLUMNS)
# The tokenizer learns the judging prompt and the SFT texts (never the pool's labels).
texts = [TEMPLATES[snakemake.params.template]] * 50
for column in ("question", "response_1", "response_2", "reasoning"):
    texts.extend(sft[column].to_list())
info = build_tiny_base(
    snakemake.output[0],
    texts,
    snakemake.params.arch,
    snakemake.params.image_size,
    snakemake.params.seed,
)
print(f"base_model: read {sft.height} SFT texts, wrote {snakemake.output[0]}: {json.dumps(info)}")
