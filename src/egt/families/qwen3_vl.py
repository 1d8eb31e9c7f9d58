"""Qwen3-VL: 16-pixel patches merged 2x2, DeepStack (vision features fed into early LLM layers),
interleaved multimodal RoPE, and its own chat template (no default system turn)."""

from __future__ import annotations

from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration, Qwen3VLProcessor
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
from trl.chat_template_utils import qwen3_vl_chat_template

from egt.families import Family, initialised, register, text_config, vision_config, vision_token_config
from egt.tokens import mrope_section

PATCH_SIZE = 16
MERGE_SIZE = 2
TEMPORAL_PATCH_SIZE = 2


class ImageOnlyQwen3VLProcessor(Qwen3VLProcessor):
    """Qwen3-VL's processor without the video processor (it needs torchvision; egt judges a video from
    its sampled frames, as images). Saved checkpoints name this class."""

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor, tokenizer, chat_template=chat_template, **kwargs)


def build_processor(tokenizer, image_size: int) -> ImageOnlyQwen3VLProcessor:
    """Image-only Qwen3-VL processor; every image is resized to the patch grid nearest ``image_size``."""
    pixels = FAMILY.image_side(image_size) ** 2
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=pixels,
        max_pixels=pixels,
        patch_size=PATCH_SIZE,
        merge_size=MERGE_SIZE,
        temporal_patch_size=TEMPORAL_PATCH_SIZE,
    )
    return ImageOnlyQwen3VLProcessor(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=qwen3_vl_chat_template
    )


def build_model(tokenizer, arch: dict, seed: int):
    """A randomly initialised Qwen3-VL with the given (small) sizes; DeepStack from the first vision block."""
    head_dim = arch["hidden_size"] // arch["num_heads"]
    rope = {
        "rope_theta": 10000.0,
        "rope_type": "default",
        "mrope_section": mrope_section(head_dim),
        "mrope_interleaved": True,
    }
    vision = {
        "patch_size": PATCH_SIZE,
        "spatial_merge_size": MERGE_SIZE,
        "temporal_patch_size": TEMPORAL_PATCH_SIZE,
        "num_position_embeddings": 64,  # an 8 x 8 grid of learned positions, interpolated to the image
        "deepstack_visual_indexes": [0],
    }
    config = Qwen3VLConfig(
        text_config=text_config(tokenizer, arch, head_dim=head_dim, rope_parameters=rope),
        vision_config=vision_config(arch, **vision),
        tie_word_embeddings=True,
        **vision_token_config(tokenizer),
    )
    return initialised(Qwen3VLForConditionalGeneration, config, tokenizer, seed)


def load_processor(path) -> ImageOnlyQwen3VLProcessor:
    processor = ImageOnlyQwen3VLProcessor.from_pretrained(path)
    processor.image_processor = Qwen2VLImageProcessorPil.from_pretrained(path)
    return processor


FAMILY = register(
    Family(
        name="qwen3_vl",
        processor_classes=frozenset({"Qwen3VLProcessor", "ImageOnlyQwen3VLProcessor"}),
        patch_factor=PATCH_SIZE * MERGE_SIZE,
        chat_template=qwen3_vl_chat_template,
        build_model=build_model,
        build_processor=build_processor,
        load_processor=load_processor,
    )
)
