"""Exact entropy: chunked scorer vs a naive full log_softmax, side by side.

    python performance/entropy_scorer.py [--tokens 4096] [--vocab 151936] [--repeats 5] [--device cpu]

Each method runs in a fresh subprocess so its peak memory is its own: on CPU the peak RSS above
the process's level once the logits exist, on CUDA torch.cuda.max_memory_allocated above the
logits. Prints medians and the ratios (naive / chunked).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

import torch


def naive_entropy(logits: torch.Tensor) -> torch.Tensor:
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    return -(log_probs.exp() * log_probs).sum(-1)


def measure(method: str, tokens: int, vocab: int, dtype: str, device: str, chunk: int, repeats: int) -> dict:
    from egt.generation.entropy import token_entropy

    torch.manual_seed(0)
    # Filled in place: no temporary copy may raise the memory high-water mark before the baseline.
    logits = torch.empty(tokens, vocab, device=device, dtype=getattr(torch, dtype)).normal_(0.0, 4.0)
    run = (lambda: naive_entropy(logits)) if method == "naive" else (lambda: token_entropy(logits, 1.0, chunk or None))
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
        del result
    if device == "cuda":
        peak = torch.cuda.max_memory_allocated() - base
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base
    return {"method": method, "median_s": statistics.median(times), "peak_extra_mb": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=4096)
    parser.add_argument("--vocab", type=int, default=151_936)  # Qwen2.5's vocabulary
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--chunk", type=int, default=0, help="rows per chunk (0: egt's default)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(measure(args.child, args.tokens, args.vocab, args.dtype, args.device, args.chunk, args.repeats))
        )
        return
    results = {}
    for method in ("naive", "chunked"):
        command = [sys.executable, __file__, "--child", method] + [
            f"--{k}={getattr(args, k)}" for k in ("tokens", "vocab", "dtype", "device", "chunk", "repeats")
        ]
        results[method] = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    naive, chunked = results["naive"], results["chunked"]
    print(f"tokens={args.tokens} vocab={args.vocab} dtype={args.dtype} device={args.device} chunk={args.chunk}")
    print(f"{'method':<8} {'median time (s)':>16} {'peak extra memory (MB)':>24}")
    for r in (naive, chunked):
        print(f"{r['method']:<8} {r['median_s']:>16.3f} {r['peak_extra_mb']:>24.1f}")
    print(f"memory ratio naive/chunked: {naive['peak_extra_mb'] / max(chunked['peak_extra_mb'], 1e-9):.1f}x")
    print(f"speed ratio chunked vs naive (naive time / chunked time): {naive['median_s'] / chunked['median_s']:.2f}x")


if __name__ == "__main__":
    main()
