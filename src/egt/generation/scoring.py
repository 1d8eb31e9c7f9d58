"""Teacher-forced entropy scoring of sampled completions.

Whatever engine sampled the text (HF generate here, vLLM on a cluster), the entropy of every
generated token is recomputed here in one forward pass over prompt + completion. The LM head
is applied to a chunk of hidden states at a time, so the full ``[tokens, vocab]`` logits are
never held at once: extra memory is O(chunk x vocab).
"""

from __future__ import annotations

import torch

from egt.generation.entropy import rows_per_chunk, token_entropy


def completion_entropies(
    model,
    prompt_inputs: dict,
    completion_ids: torch.Tensor,
    completion_mask: torch.Tensor,
    temperature: float,
    chunk_rows: int | None = None,
) -> torch.Tensor:
    """Per-token entropies ``[batch, completion_len]`` of the completions, teacher-forced.

    ``prompt_inputs`` are the processor's outputs for the prompts (left-padded, one row per
    completion); ``completion_ids`` are right-padded and ``completion_mask`` marks real tokens.
    Entries where the mask is false are 0.
    """
    prompt_ids = prompt_inputs["input_ids"]
    batch, prompt_len = prompt_ids.shape
    inputs = dict(prompt_inputs)
    inputs["input_ids"] = torch.cat([prompt_ids, completion_ids], dim=1)
    inputs["attention_mask"] = torch.cat([prompt_inputs["attention_mask"], completion_mask.long()], dim=1)
    if "mm_token_type_ids" in inputs:
        # Completion tokens are text (type 0); the multimodal position logic needs full length.
        pad = torch.zeros_like(completion_ids, dtype=inputs["mm_token_type_ids"].dtype)
        inputs["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], pad], dim=1)
    hidden = model.model(**inputs).last_hidden_state
    # The state at position t predicts token t + 1: completion token j is predicted from
    # position prompt_len - 1 + j.
    predicting = hidden[:, prompt_len - 1 : prompt_len - 1 + completion_ids.shape[1]]
    head = model.get_output_embeddings()
    chunk_rows = chunk_rows or rows_per_chunk(head.weight.shape[0])
    flat = predicting.reshape(-1, predicting.shape[-1])
    out = torch.empty(flat.shape[0], dtype=torch.float32, device=flat.device)
    for start in range(0, flat.shape[0], chunk_rows):
        logits = head(flat[start : start + chunk_rows])
        out[start : start + chunk_rows] = token_entropy(logits, temperature, chunk_rows)
    entropies = out.reshape(batch, -1)
    return torch.where(completion_mask.bool(), entropies, torch.zeros_like(entropies))
