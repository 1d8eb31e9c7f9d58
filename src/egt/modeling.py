"""Base models: build a tiny model offline, and load any model + processor by path or id.

Downstream steps only call :func:`load_model` and :func:`load_processor`; they never know
whether the directory was built here or downloaded from the Hub, nor which model family it is
(egt.families).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    AutoConfig,
    AutoModelForImageTextToText,
    AutoProcessor,
    GenerationConfig,
    PreTrainedTokenizerFast,
)

from egt.families import family, family_of_processor
from egt.generation.sampling import neutral_generation_config
from egt.tokens import FORMAT_TOKENS, SPECIAL_TOKENS, VISION_TOKENS

# The chat template's own words, so role headers become single tokens.
CHAT_TEMPLATE_TEXT = ["system\nYou are a helpful assistant.\n", "user\n", "assistant\n"]


def train_tokenizer(texts: list[str], vocab_size: int, chat_template: str) -> PreTrainedTokenizerFast:
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
    tokenizer.chat_template = chat_template
    return tokenizer


def build_tiny_base(out_dir: str | Path, texts: list[str], arch: dict, image_size: int, seed: int) -> dict:
    """Build tokenizer, processor and model of the family ``arch`` names (``model.tiny.family``, Qwen2.5-VL
    by default), saved together; returns a description."""
    chosen = family(arch.get("family", "qwen2_5_vl"))
    tokenizer = train_tokenizer(texts, arch["vocab_size"], chosen.chat_template)
    processor = chosen.build_processor(tokenizer, image_size)
    model = chosen.build_model(tokenizer, arch, seed)
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)  # safetensors
    processor.save_pretrained(out_dir)
    return {
        "family": chosen.name,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": len(tokenizer),
        "image_tokens_per_image": (chosen.image_side(image_size) // chosen.patch_factor) ** 2,
    }


def cheap_determinism() -> None:
    """The GPU determinism switches that cost (almost) nothing: cuDNN picks no kernel by benchmarking
    and only deterministic ones (only the vision towers' patch embeddings are convolutions). What would make
    a GPU run bit-reproducible beyond that (deterministic scatter and index kernels, one reduction
    order in NCCL and in attention) is left as the libraries ship it: see docs/operations.md."""
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True


def load_model(path: str, trust_remote_code: bool = False, dtype: torch.dtype | str = "auto"):
    """A model from a folder (safetensors only), with no sampling defaults of its own.

    The checkpoint's ``generation_config.json`` is replaced by its special token ids alone, so
    that every step samples what :class:`egt.generation.sampling.Sampling` says and nothing the
    checkpoint's authors chose for chat (see that module).
    """
    cheap_determinism()
    model = AutoModelForImageTextToText.from_pretrained(
        path, trust_remote_code=trust_remote_code, dtype=dtype, use_safetensors=True
    )
    model.generation_config = neutral_generation_config(model.generation_config)
    return model


def eos_token_ids(path: str, trust_remote_code: bool = False) -> list[int]:
    """The end-of-sequence ids :func:`load_model`'s model generates with, read without loading weights:
    the folder's generation config, else the one transformers derives from the model config."""
    try:
        config = GenerationConfig.from_pretrained(path)
    except OSError:  # no generation_config.json
        model_config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code)
        config = GenerationConfig.from_model_config(model_config)
    eos = config.eos_token_id
    return [eos] if isinstance(eos, int) else list(eos or [])


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

    A folder of a registered family (egt.families: Qwen2.5-VL, Qwen3-VL; built here or downloaded from
    the Hub) loads as the family's image-only processor with the PIL image backend: the Hub's processors
    also build a video processor, which in transformers 5.24 imports torchvision
    (``video_processing_qwen2_vl.py``, ``video_processing_qwen3_vl.py``), which the training env does not
    have; egt judges a video item from its sampled frames, as images. The PIL image processor is chosen so
    that the pixels do not depend on whether torchvision happens to be installed (transformers picks the
    torchvision backend when it is: ``image_processing_auto._resolve_backend``). Any other folder loads
    through ``AutoProcessor``. ``pixels`` (``min_pixels`` / ``max_pixels``, config ``model``) overrides the
    folder's image budget where set: Qwen2.5-VL's published limit of 12,845,056 pixels lets one image cost
    16,384 tokens.
    """
    known = family_of_processor(processor_class(path))
    if known is not None:
        processor = known.load_processor(path)
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
