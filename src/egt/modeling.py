"""Base models: build the tiny Qwen2.5-VL offline, and load any model + processor by path or id.

Downstream stages only call :func:`load_model` and :func:`load_processor`; they never know
whether the directory was built here or downloaded from the Hub.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    AutoModelForImageTextToText,
    AutoProcessor,
    PreTrainedTokenizerFast,
    Qwen2_5_VLConfig,
    Qwen2_5_VLForConditionalGeneration,
    Qwen2_5_VLProcessor,
)
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
from trl.chat_template_utils import qwen2_5_vl_chat_template

from egt.generation.sampling import neutral_generation_config

# Qwen's own special tokens, so the chat template and the vision placeholders work unchanged.
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]
# Not special: they must survive skip_special_tokens=True when judgments are decoded.
FORMAT_TOKENS = ["<think>", "</think>", "<answer>", "</answer>"]
VISION_TOKENS = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]

# Qwen2.5-VL's vision geometry: 14-pixel patches, 2x2 merged into one LLM token.
PATCH_SIZE = 14
MERGE_SIZE = 2


# The chat template's own words, so role headers become single tokens.
CHAT_TEMPLATE_TEXT = ["system\nYou are a helpful assistant.\n", "user\n", "assistant\n"]


def train_tokenizer(texts: list[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """A byte-level BPE trained on the given texts and the chat template's words, with Qwen's special tokens."""
    texts = list(texts) + CHAT_TEMPLATE_TEXT * max(1, len(texts) // 20)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(texts, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIAL_TOKENS[1:],
    )
    tokenizer.add_tokens(FORMAT_TOKENS, special_tokens=False)
    tokenizer.chat_template = qwen2_5_vl_chat_template
    return tokenizer


class ImageOnlyQwen2_5_VLProcessor(Qwen2_5_VLProcessor):
    """Qwen2.5-VL's processor without the video processor.

    The video processor needs torchvision, which does not import beside the CPU torch wheel
    used here, and egt judges a video item from its sampled frames. Saved checkpoints name this
    class; :func:`load_processor` loads every Qwen2.5-VL folder with it, Hub downloads included.
    """

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor, tokenizer, chat_template=chat_template, **kwargs)


def build_processor(tokenizer: PreTrainedTokenizerFast, image_size: int) -> ImageOnlyQwen2_5_VLProcessor:
    """Image-only Qwen2.5-VL processor; every image is resized to exactly image_size^2 pixels."""
    pixels = image_size * image_size
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=pixels,
        max_pixels=pixels,
        patch_size=PATCH_SIZE,
        merge_size=MERGE_SIZE,
    )
    return ImageOnlyQwen2_5_VLProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        chat_template=qwen2_5_vl_chat_template,
    )


def build_tiny_model(tokenizer: PreTrainedTokenizerFast, arch: dict, seed: int):
    """A randomly initialised Qwen2.5-VL with the given (small) sizes."""
    ids = {tok: tokenizer.convert_tokens_to_ids(tok) for tok in SPECIAL_TOKENS}
    # Multimodal RoPE splits each head's rotary half into (time, height, width) sections,
    # in Qwen2.5-VL's proportions (16, 24, 24 of 64).
    half = arch["hidden_size"] // arch["num_heads"] // 2
    spatial = half * 3 // 8
    mrope_section = [half - 2 * spatial, spatial, spatial]
    text_config = {
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
        "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default", "mrope_section": mrope_section},
    }
    vision_config = {
        "depth": arch["vision_depth"],
        "hidden_size": arch["vision_hidden_size"],
        "intermediate_size": 2 * arch["vision_hidden_size"],
        "num_heads": arch["vision_num_heads"],
        "out_hidden_size": arch["hidden_size"],
        "patch_size": PATCH_SIZE,
        "spatial_merge_size": MERGE_SIZE,
        "fullatt_block_indexes": [arch["vision_depth"] - 1],
    }
    config = Qwen2_5_VLConfig(
        text_config=text_config,
        vision_config=vision_config,
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    return model


def build_tiny_base(out_dir: str | Path, texts: list[str], arch: dict, image_size: int, seed: int) -> dict:
    """Build tokenizer, processor and model and save them together; returns a description."""
    tokenizer = train_tokenizer(texts, arch["vocab_size"])
    processor = build_processor(tokenizer, image_size)
    model = build_tiny_model(tokenizer, arch, seed)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)  # safetensors
    processor.save_pretrained(out_dir)
    return {
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": len(tokenizer),
        "image_tokens_per_image": (image_size // (PATCH_SIZE * MERGE_SIZE)) ** 2,
    }


def cheap_determinism() -> None:
    """The GPU determinism switches that cost (almost) nothing: cuDNN picks no kernel by benchmarking
    and only deterministic ones (only Qwen2.5-VL's patch embedding is a convolution). What would make
    a GPU run bit-reproducible beyond that (deterministic scatter and index kernels, one reduction
    order in NCCL and in attention) is left as the libraries ship it: see docs/operations.md."""
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True


def load_model(path: str, trust_remote_code: bool = False, dtype: torch.dtype | str = "auto"):
    """A model from a folder (safetensors only), with no sampling defaults of its own.

    The checkpoint's ``generation_config.json`` is replaced by its special token ids alone, so
    that every stage samples what :class:`egt.generation.sampling.Sampling` says and nothing the
    checkpoint's authors chose for chat (see that module).
    """
    cheap_determinism()
    model = AutoModelForImageTextToText.from_pretrained(
        path, trust_remote_code=trust_remote_code, dtype=dtype, use_safetensors=True
    )
    model.generation_config = neutral_generation_config(model.generation_config)
    return model


# Processor classes egt loads as its image-only Qwen2.5-VL processor.
QWEN2_5_VL_PROCESSORS = {"Qwen2_5_VLProcessor", "ImageOnlyQwen2_5_VLProcessor"}


def processor_class(path: str | Path) -> str | None:
    """The processor class a model folder names (processor_config.json, else preprocessor_config.json)."""
    for name in ("processor_config.json", "preprocessor_config.json"):
        file = Path(path) / name
        if file.is_file():
            saved = json.loads(file.read_text()).get("processor_class")
            if saved:
                return saved
    return None


def load_processor(path: str, trust_remote_code: bool = False, pixels: dict | None = None):
    """The processor of a model folder, left-padding, with egt's image budget applied.

    Qwen2.5-VL folders (built here or downloaded from the Hub) load as
    :class:`ImageOnlyQwen2_5_VLProcessor` with the PIL image backend: the Hub's
    ``Qwen2_5_VLProcessor`` also builds a video processor, which in transformers 5.24 imports
    torchvision (``video_processing_qwen2_vl.py``), which the training env does not have; egt judges
    a video item from its sampled frames, as images. The PIL image processor is chosen so that the
    pixels do not depend on whether torchvision happens to be installed (transformers picks the torchvision
    backend when it is: ``image_processing_auto._resolve_backend``). ``pixels`` (``min_pixels`` /
    ``max_pixels``, config ``model``) overrides the folder's image budget where set: Qwen2.5-VL's
    published limit of 12,845,056 pixels lets one image cost 16,384 tokens.
    """
    if processor_class(path) in QWEN2_5_VL_PROCESSORS:
        processor = ImageOnlyQwen2_5_VLProcessor.from_pretrained(path)
        # the image processor alone gets the PIL backend (``backend=`` would reach the tokenizer too)
        processor.image_processor = Qwen2VLImageProcessorPil.from_pretrained(path)
    else:
        processor = AutoProcessor.from_pretrained(path, trust_remote_code=trust_remote_code)
    set_pixel_budget(processor.image_processor, pixels)
    processor.tokenizer.padding_side = "left"  # generation appends to the right
    return processor


def set_pixel_budget(image_processor, pixels: dict | None) -> None:
    """Set the processor's smallest and largest image area (``size`` edges, the form transformers 5
    reads; ``min_pixels``/``max_pixels`` arguments at call time are deprecated there)."""
    edges = {"min_pixels": "shortest_edge", "max_pixels": "longest_edge"}
    chosen = {edges[k]: v for k, v in (pixels or {}).items() if v is not None}
    if not chosen:
        return
    size = getattr(image_processor, "size", None)
    if size is None or not all(hasattr(size, edge) for edge in edges.values()):
        raise ValueError(f"{type(image_processor).__name__} has no pixel budget; unset model.min_pixels/max_pixels")
    image_processor.size = type(size)(**{**{k: v for k, v in dict(size).items() if v is not None}, **chosen})


def vision_token_ids(processor) -> list[int]:
    """Ids a judgment must never contain (sampling one breaks the image/token alignment)."""
    tokenizer = processor.tokenizer
    vocab = tokenizer.get_vocab()
    return [vocab[tok] for tok in VISION_TOKENS if tok in vocab]
