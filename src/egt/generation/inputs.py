"""Selecting rows of a processor's outputs, the images of each row's prompt with them."""

from __future__ import annotations

import torch


def images_per_row(pairs: list[dict]) -> list[int]:
    return [len(row.get("frames") or [None]) for row in pairs]


def gather_rows(inputs: dict, rows: list[int], images_per_prompt: list[int] | None = None) -> dict:
    """Processor outputs for the prompts ``rows`` (indices, repeats allowed), in that order.

    Per-token tensors are indexed by row; the images' patches (``pixel_values``) and grids
    (``image_grid_thw``) are concatenated over all images of all prompts, so each prompt's images
    are taken as one block (a video item has several).
    """
    counts = images_per_prompt or [1] * inputs["input_ids"].shape[0]
    out = {}
    for key, value in inputs.items():
        if key in ("pixel_values", "image_grid_thw"):
            sizes = inputs["image_grid_thw"].prod(dim=-1).tolist() if key == "pixel_values" else [1] * sum(counts)
            blocks = list(value.split(sizes, dim=0))
            starts = [sum(counts[:i]) for i in range(len(counts))]
            out[key] = torch.cat([torch.cat(blocks[starts[r] : starts[r] + counts[r]], dim=0) for r in rows], dim=0)
        elif torch.is_tensor(value):
            out[key] = value[torch.as_tensor(rows, device=value.device)]
        else:
            out[key] = value
    return out


def repeat_inputs(inputs: dict, times: int, images_per_prompt: list[int] | None = None) -> dict:
    """Every row of processor outputs ``times`` times (row i -> rows i*times … i*times+times-1)."""
    prompts = inputs["input_ids"].shape[0]
    return gather_rows(inputs, [r for r in range(prompts) for _ in range(times)], images_per_prompt)
