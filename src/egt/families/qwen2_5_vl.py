"""Qwen2.5-VL (the paper's base model family): 14-pixel patches merged 2x2 into one LLM token."""

from __future__ import annotations

from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
from trl.chat_template_utils import qwen2_5_vl_chat_template

from egt.families import Family, initialised, register, text_config, vision_config, vision_token_config
from egt.tokens import mrope_section

PATCH_SIZE = 14
MERGE_SIZE = 2


class ImageOnlyQwen2_5_VLProcessor(Qwen2_5_VLProcessor):
    """Qwen2.5-VL's processor without the video processor.

    The video processor needs torchvision, which does not import beside the CPU torch wheel
    used here, and egt judges a video item from its sampled frames. Saved checkpoints name this
    class; :func:`egt.modeling.load_processor` loads every Qwen2.5-VL folder with it, Hub downloads included.
    """

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor, tokenizer, chat_template=chat_template, **kwargs)


def build_processor(tokenizer, image_size: int) -> ImageOnlyQwen2_5_VLProcessor:
    """Image-only Qwen2.5-VL processor; images are resized to squares of ``image_size`` rounded to the patch grid."""
    pixels = FAMILY.image_side(image_size) ** 2
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=pixels, max_pixels=pixels, patch_size=PATCH_SIZE, merge_size=MERGE_SIZE
    )
    return ImageOnlyQwen2_5_VLProcessor(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=qwen2_5_vl_chat_template
    )


def build_model(tokenizer, arch: dict, seed: int):
    """A randomly initialised Qwen2.5-VL with the given (small) sizes."""
    head_dim = arch["hidden_size"] // arch["num_heads"]
    rope = {"rope_theta": 10000.0, "rope_type": "default", "mrope_section": mrope_section(head_dim)}
    vision = {
        "patch_size": PATCH_SIZE,
        "spatial_merge_size": MERGE_SIZE,
        "fullatt_block_indexes": [arch["vision_depth"] - 1],
    }
    config = Qwen2_5_VLConfig(
        text_config=text_config(tokenizer, arch, rope_parameters=rope),
        vision_config=vision_config(arch, **vision),
        tie_word_embeddings=True,
        **vision_token_config(tokenizer),
    )
    return initialised(Qwen2_5_VLForConditionalGeneration, config, tokenizer, seed)


def load_processor(path) -> ImageOnlyQwen2_5_VLProcessor:
    processor = ImageOnlyQwen2_5_VLProcessor.from_pretrained(path)
    # the image processor alone gets the PIL backend (``backend=`` would reach the tokenizer too)
    processor.image_processor = Qwen2VLImageProcessorPil.from_pretrained(path)
    return processor


FAMILY = register(
    Family(
        name="qwen2_5_vl",
        processor_classes=frozenset({"Qwen2_5_VLProcessor", "ImageOnlyQwen2_5_VLProcessor"}),
        patch_factor=PATCH_SIZE * MERGE_SIZE,
        chat_template=qwen2_5_vl_chat_template,
        build_model=build_model,
        build_processor=build_processor,
        load_processor=load_processor,
    )
)
