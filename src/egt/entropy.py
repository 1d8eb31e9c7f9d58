"""Exact per-token Shannon entropy of next-token distributions.

For logits z (already divided by the sampling temperature), the entropy of softmax(z) is
    H = logsumexp(z) - sum_i softmax(z)_i * z_i,
computed in float32 whatever the logits' dtype. Rows are processed in chunks so that the
extra memory is O(chunk x vocab) rather than O(tokens x vocab).
"""

from __future__ import annotations

import torch


def token_entropy(logits: torch.Tensor, temperature: float = 1.0, chunk_size: int = 1024) -> torch.Tensor:
    """Entropy (nats) of softmax(logits / temperature) over the last axis; shape = logits.shape[:-1]."""
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    flat = logits.reshape(-1, logits.shape[-1])
    out = torch.empty(flat.shape[0], dtype=torch.float32, device=logits.device)
    for start in range(0, flat.shape[0], chunk_size):
        z = flat[start : start + chunk_size].float() / temperature
        log_norm = torch.logsumexp(z, dim=-1)
        probs = torch.softmax(z, dim=-1)
        # -inf logits (masked tokens) have probability 0 and contribute nothing.
        expected = torch.where(probs > 0, probs * z, torch.zeros_like(z)).sum(dim=-1)
        out[start : start + chunk_size] = log_norm - expected
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
