"""Peak memory of adapting R1-Reward-RL at its published size (17,261 rows, ~165 KB of base64 image a row).

    python performance/r1_reward_rl_memory.py [--rows 17261] [--folder /tmp/r1_reward_rl_full]

Builds the replica once (6 parquet shards, ~2.8 GB; every row its own noise JPEG, which compresses
as badly as a photo; row groups of 1,000 rows), then runs the adapter in a child process and prints
its peak RSS beside the size of the data it read. Target: under 1.5 GB.
"""

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from egt.data import replicas

CHILD = """
import sys
from egt.data.adapters import adapt_source
from egt.readers import adapter
skipped = adapt_source(sys.argv[1], {"adapter": "r1_reward_rl"}, adapter("r1_reward_rl"), sys.argv[2])
print(skipped.height)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=17261)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/r1_reward_rl_full"))
    args = parser.parse_args()
    marker = args.folder / f".rows-{args.rows}"
    if not marker.exists():
        records = Path(__file__).resolve().parents[1] / "tests/fixtures/records/mm_rlhf_rewardbench.jsonl"
        import json

        texts = replicas.texts_from([json.loads(line) for line in records.read_text().splitlines()])
        replicas.r1_reward_rl(args.folder, texts, args.rows, image_bytes=replicas.noise_jpeg, broken=False)
        marker.touch()
    size = sum(p.stat().st_size for p in (args.folder / "data").glob("*.parquet"))
    started = time.time()
    out = args.folder.parent / "r1_reward_rl_pairs.parquet"
    subprocess.run([sys.executable, "-c", CHILD, str(args.folder), str(out)], check=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"R1-Reward-RL replica: {args.rows} rows in 6 shards, {size / 1e9:.2f} GB")
    print(f"adapt_dataset: {time.time() - started:.1f} s, peak RSS {peak_mb:.0f} MB (target < 1,500 MB)")


if __name__ == "__main__":
    main()
