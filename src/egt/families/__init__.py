"""Model families by name: what egt needs to know of an architecture, in one registration each.

A family builds its tiny model and processor offline (``model.base: tiny`` with ``model.tiny.family``)
and loads the image-only processor of any checkpoint of its kind, built here or downloaded, by the
processor class the folder names. Everything downstream (SFT, rollouts with exact entropy, GRPO,
evaluation) goes through :func:`egt.modeling.load_model` / :func:`egt.modeling.load_processor` and never
names a family. Adding one: a module beside these with a :class:`Family` registration, imported below,
and its name in the config schema; tests/test_families.py runs every registered family (docs/extending.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from egt.tokens import special_ids


@dataclass(frozen=True)
class Family:
    name: str  # the config's model.tiny.family
    processor_classes: frozenset[str]  # processor classes a checkpoint folder may name, loaded image-only
    patch_factor: int  # pixels per LLM image token along a side (patch size x spatial merge)
    chat_template: str
    build_model: Callable  # (tokenizer, arch: dict, seed: int) -> a randomly initialised model
    build_processor: Callable  # (tokenizer, image_size: int) -> an image-only processor, fixed image area
    load_processor: Callable  # (path) -> the folder's image-only processor, PIL backend

    def image_side(self, image_size: int) -> int:
        """The side the processor resizes a square image of ``image_size`` pixels to (its patch grid)."""
        return max(1, round(image_size / self.patch_factor)) * self.patch_factor


FAMILIES: dict[str, Family] = {}


# What every family's tiny model shares: Qwen's special tokens and the sizes of model.tiny.
def text_config(tokenizer, arch: dict, **extra) -> dict:
    ids = special_ids(tokenizer)
    return {
        "vocab_size": len(tokenizer),
        "hidden_size": arch["hidden_size"],
        "intermediate_size": arch["intermediate_size"],
        "num_hidden_layers": arch["num_layers"],
        "num_attention_heads": arch["num_heads"],
        "num_key_value_heads": arch["num_kv_heads"],
        "max_position_embeddings": 1024,
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|endoftext|>"],
        **extra,
    }


def vision_config(arch: dict, **extra) -> dict:
    return {
        "depth": arch["vision_depth"],
        "hidden_size": arch["vision_hidden_size"],
        "intermediate_size": 2 * arch["vision_hidden_size"],
        "num_heads": arch["vision_num_heads"],
        "out_hidden_size": arch["hidden_size"],
        **extra,
    }


def vision_token_config(tokenizer) -> dict:
    """The vision placeholders' ids, as the multimodal configs name them."""
    ids = special_ids(tokenizer)
    return {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }


def initialised(model_class, config, tokenizer, seed: int):
    """A seeded random model whose generation stops at the end of the turn and pads with Qwen's pad."""
    ids = special_ids(tokenizer)
    torch.manual_seed(seed)
    model = model_class(config)
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    return model


def register(family: Family) -> Family:
    FAMILIES[family.name] = family
    return family


def family(name: str) -> Family:
    if name not in FAMILIES:
        raise ValueError(f"unknown model family {name!r}; registered: {', '.join(FAMILIES)}")
    return FAMILIES[name]


def family_of_processor(processor_class: str | None) -> Family | None:
    return next((f for f in FAMILIES.values() if processor_class in f.processor_classes), None)


from egt.families import qwen2_5_vl, qwen3_vl  # noqa: E402,F401 - the registrations
