"""Exact per-token Shannon entropy of next-token distributions.

For logits z (divided by the sampling temperature), H = -sum_i p_i log p_i with
log p = log_softmax(z), computed in float32 whatever the logits' dtype. Rows are processed in
chunks of about ``CHUNK_ELEMENTS`` values, so the extra memory is O(chunk x vocab) rather than
O(tokens x vocab) — and a chunk that fits in the CPU cache is also several times faster than
one pass over the whole tensor (see performance/README.md).
"""

from __future__ import annotations

import torch

# ~16 MB of float32 per temporary on a CPU (27 rows of Qwen2.5's 152k vocabulary: fits the cache);
# ~1 GB on a GPU (1,765 rows), where each chunk costs kernel launches rather than cache misses and
# 27-row chunks would mean ~5k launches of the LM head per rollout batch.
CHUNK_ELEMENTS = 1 << 22
GPU_CHUNK_ELEMENTS = 1 << 28


def rows_per_chunk(vocab_size: int, chunk_elements: int | None = None, device=None) -> int:
    if chunk_elements is None:
        on_gpu = device is not None and torch.device(device).type == "cuda"
        chunk_elements = GPU_CHUNK_ELEMENTS if on_gpu else CHUNK_ELEMENTS
    return max(1, chunk_elements // vocab_size)


def token_entropy(logits: torch.Tensor, temperature: float = 1.0, chunk_rows: int | None = None) -> torch.Tensor:
    """Entropy (nats) of softmax(logits / temperature) over the last axis; shape = logits.shape[:-1]."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    vocab = logits.shape[-1]
    flat = logits.reshape(-1, vocab)
    chunk_rows = chunk_rows or rows_per_chunk(vocab)
    lowest = torch.finfo(torch.float32).min
    out = torch.empty(flat.shape[0], dtype=torch.float32, device=logits.device)
    for start in range(0, flat.shape[0], chunk_rows):
        log_probs = torch.log_softmax(flat[start : start + chunk_rows].float() / temperature, dim=-1)
        probs = log_probs.exp()
        # A -inf logit (masked token) has p = 0; clamping its log-probability to a finite value
        # makes its term 0 * finite = 0 instead of 0 * -inf = nan.
        out[start : start + chunk_rows] = -(probs * log_probs.clamp_min_(lowest)).sum(dim=-1)
    return out.reshape(logits.shape[:-1])


def generated_token_mask(token_ids: torch.Tensor, eos_token_ids: list[int]) -> torch.Tensor:
    """True for generated tokens up to and including the first end-of-sequence token.

    ``token_ids`` is ``[batch, steps]`` of generated ids only; what follows the first EOS is
    padding and is excluded.
    """
    is_eos = torch.isin(token_ids, torch.tensor(eos_token_ids, device=token_ids.device))
    # eos seen strictly before position t  <=>  cumulative count up to t-1 > 0
    eos_before = (is_eos.cumsum(dim=1) - is_eos.long()) > 0
    return ~eos_before


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over the last axis of ``values`` where ``mask`` is true (NaN for an empty mask)."""
    mask = mask.to(values.dtype)
    return (values * mask).sum(dim=-1) / mask.sum(dim=-1)


def top_share_mean(values: torch.Tensor, mask: torch.Tensor, share: float) -> torch.Tensor:
    """Per row, the mean of the highest ``ceil(share * n)`` of its ``n`` masked values (NaN when n = 0).

    With token entropies this is the entropy of a completion's forks: the few tokens where the
    model hesitates, which a mean over every token dilutes with the many it is sure of.
    """
    counts = mask.sum(dim=-1)
    keep = torch.ceil(counts.to(torch.float64) * share).to(torch.long).clamp_min(1)
    ordered = torch.where(mask.bool(), values, torch.full_like(values, float("-inf"))).sort(dim=-1, descending=True)
    taken = torch.arange(values.shape[-1], device=values.device) < keep.unsqueeze(-1)
    total = torch.where(taken, ordered.values, torch.zeros_like(values)).sum(dim=-1)
    return torch.where(counts > 0, total / keep.to(values.dtype), torch.full_like(total, float("nan")))


def token_at_char(pieces: list[str], char: int) -> int | None:
    """Index of the token whose decoded piece covers character ``char`` of the concatenated pieces."""
    end = 0
    for index, piece in enumerate(pieces):
        end += len(piece)
        if char < end:
            return index
    return None
