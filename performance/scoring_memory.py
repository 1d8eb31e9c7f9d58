"""Peak memory of teacher-forced entropy scoring at the real vocabulary, as the batch grows.

    python performance/scoring_memory.py [--rows 8 16 32 64] [--rows-per-pass 8] [--tokens 160]

A Hub-layout replica of Qwen2.5-VL-7B-Instruct with its real vocabulary (152,064 embedding rows)
and a scaled-down body (width 256, MLP 4,096, 2 layers) scores ``rows`` completions of ``--tokens``
tokens each, once in one pass (what egt did before rollout.score_rows) and once in passes of
``--rows-per-pass`` rows. Each measurement
runs in a fresh child process and reports that child's peak RSS; the figure to read is how the peak
grows with the batch (flat with passes, linear without), not its absolute size.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import sys, torch
from egt.generation.inputs import repeat_inputs
from egt.generation.judge import prompts_and_images
from egt.generation.scoring import completion_entropies
from egt.modeling import load_model, load_processor
from egt.data.toyworld import generate_split
torch.set_num_threads(2)
model_dir, rows, per_pass, tokens = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
model, processor = load_model(model_dir, dtype=torch.float32), load_processor(model_dir)
pairs, _ = generate_split("pool", 1, seed=0, image_size=56, max_ambiguity=0.5, noise=None)
texts, images = prompts_and_images(processor, pairs.to_dicts(), "egt")
inputs = repeat_inputs(processor(text=texts, images=images, return_tensors="pt"), rows)
completion = torch.randint(0, 151_000, (rows, tokens))
with torch.no_grad():
    completion_entropies(model, inputs, completion, torch.ones_like(completion, dtype=torch.bool), 1.0,
                         rows_per_pass=None if per_pass == "all" else int(per_pass))
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_mb(model_dir: Path, rows: int, per_pass: str, tokens: int) -> float:
    """The child's own peak RSS (MB)."""
    command = [sys.executable, "-c", CHILD, str(model_dir), str(rows), per_pass, str(tokens)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--rows-per-pass", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=200)
    args = parser.parse_args()
    from egt.judging import TEMPLATES
    from egt.model_replica import build_qwen2_5_vl_replica

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "replica"
        # wide MLPs, as the 7B's (18,944 = 5.3x its width): the activations a pass holds are the point
        sizes = {"hidden_size": 256, "intermediate_size": 4096, "num_attention_heads": 4, "num_key_value_heads": 2}
        info = build_qwen2_5_vl_replica(model_dir, list(TEMPLATES.values()), real_vocabulary=True, sizes=sizes)
        print(f"replica: vocabulary {info['vocab_size']:,}, {info['parameters']:,} parameters; "
              f"{args.tokens} completion tokens per row; fp32 on the CPU, 2 threads")  # fmt: skip
        print("rows | peak RSS, passes of", args.rows_per_pass, "| peak RSS, one pass")
        chunked = {rows: peak_mb(model_dir, rows, str(args.rows_per_pass), args.tokens) for rows in args.rows}
        whole = {rows: peak_mb(model_dir, rows, "all", args.tokens) for rows in args.rows}
        for rows in args.rows:
            print(f"{rows} | {chunked[rows]:.0f} MB | {whole[rows]:.0f} MB")


if __name__ == "__main__":
    main()
