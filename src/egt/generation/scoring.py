"""Teacher-forced entropy scoring of sampled completions.

Whatever engine sampled the text (HF generate here, vLLM on a cluster), the entropy of every
generated token is recomputed here by running the model over prompt + completion. Memory is bounded
twice: the model runs over at most ``rows_per_pass`` completions at a time (config
``rollout.score_rows``: at paper sizes one pass over 16 pairs x 8 samples of ~2.5k tokens would hold
~37 GB of MLP activations), with no KV cache (nobody reads it; left on, it is another ~18 GB at
those sizes), and the LM head is applied to a chunk of hidden states at a time, so the full
``[tokens, vocab]`` logits are never held at once.
"""

from __future__ import annotations

import torch

from egt.generation.entropy import rows_per_chunk, token_entropy
from egt.generation.inputs import gather_rows


def completion_entropies(
    model,
    prompt_inputs: dict,
    completion_ids: torch.Tensor,
    completion_mask: torch.Tensor,
    temperature: float,
    chunk_rows: int | None = None,
    rows_per_pass: int | None = None,
    images_per_row: list[int] | None = None,
) -> torch.Tensor:
    """Per-token entropies ``[batch, completion_len]`` of the completions, teacher-forced.

    ``prompt_inputs`` are the processor's outputs for the prompts (left-padded, one row per
    completion); ``completion_ids`` are right-padded and ``completion_mask`` marks real tokens.
    Entries where the mask is false are 0. ``rows_per_pass`` (default: all) bounds the rows of one
    forward pass; ``images_per_row`` says how many images each row's prompt has (default one), so
    a pass takes each row's image patches with it. ``chunk_rows`` bounds the LM head's rows.
    """
    batch = completion_ids.shape[0]
    rows_per_pass = rows_per_pass or batch
    out = torch.empty(completion_ids.shape, dtype=torch.float32, device=completion_ids.device)
    for start in range(0, batch, rows_per_pass):
        rows = list(range(start, min(batch, start + rows_per_pass)))
        if len(rows) == batch:
            part = prompt_inputs
        else:
            part = gather_rows(prompt_inputs, rows, images_per_row)
        out[rows[0] : rows[-1] + 1] = _entropies(
            model,
            part,
            completion_ids[rows[0] : rows[-1] + 1],
            completion_mask[rows[0] : rows[-1] + 1],
            temperature,
            chunk_rows,
        )
    return torch.where(completion_mask.bool(), out, torch.zeros_like(out))


def _entropies(model, prompt_inputs, completion_ids, completion_mask, temperature, chunk_rows) -> torch.Tensor:
    prompt_ids = prompt_inputs["input_ids"]
    batch, prompt_len = prompt_ids.shape
    inputs = dict(prompt_inputs)
    inputs["input_ids"] = torch.cat([prompt_ids, completion_ids], dim=1)
    inputs["attention_mask"] = torch.cat([prompt_inputs["attention_mask"], completion_mask.long()], dim=1)
    if "mm_token_type_ids" in inputs:
        # Completion tokens are text (type 0); the multimodal position logic needs full length.
        pad = torch.zeros_like(completion_ids, dtype=inputs["mm_token_type_ids"].dtype)
        inputs["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], pad], dim=1)
    hidden = model.model(**inputs, use_cache=False).last_hidden_state
    # The state at position t predicts token t + 1: completion token j is predicted from
    # position prompt_len - 1 + j.
    predicting = hidden[:, prompt_len - 1 : prompt_len - 1 + completion_ids.shape[1]]
    head = model.get_output_embeddings()
    chunk_rows = chunk_rows or rows_per_chunk(head.weight.shape[0], device=predicting.device)
    flat = predicting.reshape(-1, predicting.shape[-1])
    out = torch.empty(flat.shape[0], dtype=torch.float32, device=flat.device)
    for start in range(0, flat.shape[0], chunk_rows):
        logits = head(flat[start : start + chunk_rows])
        out[start : start + chunk_rows] = token_entropy(logits, temperature, chunk_rows)
    return out.reshape(batch, -1)
