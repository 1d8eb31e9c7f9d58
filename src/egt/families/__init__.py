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
