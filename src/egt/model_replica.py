"""A replica of the Hub's ``Qwen/Qwen2.5-VL-7B-Instruct`` folder, file for file, scaled down.

The paper run starts from that download; nothing can be downloaded on the machines egt is built
on, and the tiny model of the embedded default takes other code paths (its own processor class,
fp32 weights, transformers 5 config format). This replica takes the real ones: the same file names,
the legacy config format of transformers 4.49, bf16 weights in safetensors shards with an index,
the published processor, preprocessor, tokenizer and chat-template files, and the published
``generation_config.json`` (whose chat-decoding defaults egt must not inherit). Only the sizes are
scaled down — and the vocabulary, unless asked for at its real size (151,643 regular tokens,
embeddings for 152,064), which puts every special token at its real id.

What the layout facts rest on (I = inferred from third-party copies; none of the published files
could be downloaded here, so each is written down as read):
- file list at revision cc594898137f460bfe9f0759e9844b3ce807cfb5: ``chat_template.json``,
  ``config.json``, ``generation_config.json``, ``merges.txt``, ``model-0000K-of-00005.safetensors``,
  ``model.safetensors.index.json``, ``preprocessor_config.json``, ``tokenizer.json``,
  ``tokenizer_config.json``, ``vocab.json`` (I: the Hub tree as recalled, consistent with the files
  a third-party renderer check names at that revision);
- ``preprocessor_config.json``: image_processor_type ``Qwen2VLImageProcessor``, processor_class
  ``Qwen2_5_VLProcessor``, min/max pixels 3,136 / 12,845,056, patch 14, temporal patch 2, merge 2,
  CLIP mean and std (I: several third-party copies agree value for value);
- ``config.json``: model_type ``qwen2_5_vl``, flat text keys, ``rope_scaling`` with
  ``mrope_section`` [16, 24, 24], vocab_size 152,064, untied embeddings, torch_dtype bfloat16,
  transformers_version 4.49.0, special ids 151643-151656 (I: a third-party copy of the 7B config);
- ``generation_config.json``: do_sample true, temperature 0.1, top_k 1, top_p 0.001,
  repetition_penalty 1.05, eos [151645, 151643] (I: the decoding defaults third-party Qwen2.5-VL
  scripts copy; also quoted in egt issue 19);
- the chat template: character for character the text TRL ships as ``qwen2_5_vl.jinja`` (checked
  against the template a third-party renderer check recorded at that revision), so TRL's training
  template applies to it;
- the tokenizer's 22 added tokens, their order and which are special (I: Qwen2.5's tokenizer_config).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration
from trl.chat_template_utils import qwen2_5_vl_chat_template

REPO_ID = "Qwen/Qwen2.5-VL-7B-Instruct"
REVISION = "cc594898137f460bfe9f0759e9844b3ce807cfb5"
REAL_REGULAR_TOKENS = 151_643  # ids below the first special token, <|endoftext|>
REAL_VOCAB_SIZE = 152_064  # embedding rows of the 7B model (the tokenizer has 151,665 tokens)

# The added tokens in id order from <|endoftext|>, and whether each is special.
ADDED_TOKENS = [
    ("<|endoftext|>", True),
    ("<|im_start|>", True),
    ("<|im_end|>", True),
    ("<|object_ref_start|>", True),
    ("<|object_ref_end|>", True),
    ("<|box_start|>", True),
    ("<|box_end|>", True),
    ("<|quad_start|>", True),
    ("<|quad_end|>", True),
    ("<|vision_start|>", True),
    ("<|vision_end|>", True),
    ("<|vision_pad|>", True),
    ("<|image_pad|>", True),
    ("<|video_pad|>", True),
    ("<tool_call>", False),
    ("</tool_call>", False),
    ("<|fim_prefix|>", False),
    ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False),
    ("<|fim_pad|>", False),
    ("<|repo_name|>", False),
    ("<|file_sep|>", False),
]
# Qwen2's pre-tokenizer split (transformers 5.24.0 models/qwen2/tokenization_qwen2.py:33).
PRETOKENIZE_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
PREPROCESSOR = {
    "min_pixels": 3136,
    "max_pixels": 12845056,
    "patch_size": 14,
    "temporal_patch_size": 2,
    "merge_size": 2,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "image_processor_type": "Qwen2VLImageProcessor",
    "processor_class": "Qwen2_5_VLProcessor",
}
# The scaled-down architecture: the 7B's shape (grouped-query attention 7:1 becomes 2:1, windowed
# vision attention with full-attention blocks, M-RoPE in the 16:24:24 proportions) at toy widths.
SMALL = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vision_depth": 2,
    "vision_hidden_size": 32,
    "vision_intermediate_size": 64,
    "vision_num_heads": 2,
}


def special_ids(regular_tokens: int) -> dict[str, int]:
    return {token: regular_tokens + index for index, (token, _) in enumerate(ADDED_TOKENS)}


def train_qwen_tokenizer(texts: list[str], regular_tokens: int | None = None, merges_budget: int = 2000) -> Tokenizer:
    """A byte-level BPE with Qwen2's normalizer and pre-tokenizer, learnt from ``texts``, and Qwen's
    added tokens after its regular entries; ``regular_tokens`` pads the regular entries to that
    many with unreachable fillers (no merge leads to them)."""
    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    learnt = len(alphabet) + merges_budget
    trainer = trainers.BpeTrainer(
        vocab_size=min(regular_tokens or learnt, learnt), initial_alphabet=alphabet, show_progress=False
    )
    bpe.train_from_iterator(texts, trainer=trainer)
    state = json.loads(bpe.to_str())
    vocab = state["model"]["vocab"]
    regular_tokens = regular_tokens or len(vocab)
    if len(vocab) > regular_tokens:
        raise ValueError(f"{len(vocab)} learnt tokens do not fit in {regular_tokens} regular ids")
    filler = 0
    while len(vocab) < regular_tokens:
        vocab[f"egt_unused_{filler}"] = len(vocab)
        filler += 1
    state["added_tokens"] = [
        {
            "id": regular_tokens + index,
            "content": token,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": special,
        }
        for index, (token, special) in enumerate(ADDED_TOKENS)
    ]
    return Tokenizer.from_str(json.dumps(state))


def tokenizer_config(regular_tokens: int) -> dict:
    return {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(regular_tokens + index): {
                "content": token,
                "lstrip": False,
                "normalized": False,
                "rstrip": False,
                "single_word": False,
                "special": special,
            }
            for index, (token, special) in enumerate(ADDED_TOKENS)
        },
        "additional_special_tokens": [token for token, special in ADDED_TOKENS[1:14] if special],
        "bos_token": None,
        "chat_template": qwen2_5_vl_chat_template,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "extra_special_tokens": {},
        "model_max_length": 131072,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }


def legacy_config(regular_tokens: int, vocab_size: int, sizes: dict) -> dict:
    """``config.json`` in the published (transformers 4.49) layout: text keys at the top level."""
    ids = special_ids(regular_tokens)
    half = sizes["hidden_size"] // sizes["num_attention_heads"] // 2
    spatial = half * 3 // 8  # 16:24:24 of 64 in the 7B
    return {
        "architectures": ["Qwen2_5_VLForConditionalGeneration"],
        "attention_dropout": 0.0,
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
        "vision_token_id": ids["<|vision_pad|>"],
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "hidden_act": "silu",
        "hidden_size": sizes["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": sizes["intermediate_size"],
        "max_position_embeddings": 128000,
        "max_window_layers": sizes["num_hidden_layers"],
        "model_type": "qwen2_5_vl",
        "num_attention_heads": sizes["num_attention_heads"],
        "num_hidden_layers": sizes["num_hidden_layers"],
        "num_key_value_heads": sizes["num_key_value_heads"],
        "rms_norm_eps": 1e-06,
        "rope_theta": 1000000.0,
        "sliding_window": 32768,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.49.0",
        "use_cache": True,
        "use_sliding_window": False,
        "vision_config": {
            "depth": sizes["vision_depth"],
            "hidden_act": "silu",
            "hidden_size": sizes["vision_hidden_size"],
            "intermediate_size": sizes["vision_intermediate_size"],
            "num_heads": sizes["vision_num_heads"],
            "in_chans": 3,
            "out_hidden_size": sizes["hidden_size"],
            "patch_size": 14,
            "spatial_merge_size": 2,
            "spatial_patch_size": 14,
            "window_size": 112,
            "fullatt_block_indexes": [sizes["vision_depth"] - 1],
            "tokens_per_second": 2,
            "temporal_patch_size": 2,
        },
        "rope_scaling": {"type": "mrope", "mrope_section": [half - 2 * spatial, spatial, spatial]},
        "vocab_size": vocab_size,
    }


def generation_config(regular_tokens: int) -> dict:
    ids = special_ids(regular_tokens)
    return {
        "bos_token_id": ids["<|endoftext|>"],
        "pad_token_id": ids["<|endoftext|>"],
        "do_sample": True,
        "eos_token_id": [ids["<|im_end|>"], ids["<|endoftext|>"]],
        "repetition_penalty": 1.05,
        "temperature": 0.1,
        "top_p": 0.001,
        "top_k": 1,
        "transformers_version": "4.49.0",
    }


def build_qwen2_5_vl_replica(
    out_dir: str | Path,
    texts: list[str],
    real_vocabulary: bool = False,
    sizes: dict | None = None,
    seed: int = 0,
    shards: int = 2,
) -> dict:
    """Write the replica folder; returns what it holds (files, parameters, vocabulary).

    ``real_vocabulary`` gives the real 151,643 regular tokens and 152,064 embedding rows (special
    tokens at their real ids: a vocabulary-sized memory benchmark); otherwise the BPE learnt from
    ``texts`` and embeddings padded to a multiple of 128, as the real ones are.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sizes = {**SMALL, **(sizes or {})}
    tokenizer = train_qwen_tokenizer(texts, REAL_REGULAR_TOKENS if real_vocabulary else None)
    regular = tokenizer.get_vocab_size(with_added_tokens=False)
    vocab_size = REAL_VOCAB_SIZE if real_vocabulary else 128 * math.ceil((regular + len(ADDED_TOKENS)) / 128)
    config_dict = legacy_config(regular, vocab_size, sizes)

    # weights: built from the config as transformers reads it, saved in bf16 under the published names
    torch.manual_seed(seed)
    config = Qwen2_5_VLConfig(**config_dict)
    model = Qwen2_5_VLForConditionalGeneration(config).to(torch.bfloat16)
    size_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    model.save_pretrained(out, max_shard_size=max(1, size_bytes // shards + 1))
    for stray in ("config.json", "generation_config.json"):
        (out / stray).unlink(missing_ok=True)
    _renumber_shards(out)

    tokenizer.save(str(out / "tokenizer.json"))
    tokenizer.model.save(str(out))  # vocab.json and merges.txt, as published beside tokenizer.json
    files = {
        "config.json": config_dict,
        "generation_config.json": generation_config(regular),
        "preprocessor_config.json": PREPROCESSOR,
        "tokenizer_config.json": tokenizer_config(regular),
        "chat_template.json": {"chat_template": qwen2_5_vl_chat_template},
    }
    for name, content in files.items():
        (out / name).write_text(json.dumps(content, indent=2) + "\n")
    return {
        "repo_id": REPO_ID,
        "revision": REVISION,
        "files": sorted(p.name for p in out.iterdir() if p.is_file()),
        "parameters": sum(p.numel() for p in model.parameters()),
        "regular_tokens": regular,
        "vocab_size": vocab_size,
    }


def _renumber_shards(folder: Path) -> None:
    """save_pretrained names shards ``model-0000k-of-0000n``; keep that, and the index consistent."""
    index_file = folder / "model.safetensors.index.json"
    if not index_file.exists():  # one shard only: publish it as a one-shard index, as the Hub does
        single = folder / "model.safetensors"
        from safetensors import safe_open

        with safe_open(str(single), "pt") as handle:
            keys = list(handle.keys())
        target = "model-00001-of-00001.safetensors"
        single.rename(folder / target)
        size = (folder / target).stat().st_size
        index = {"metadata": {"total_size": size}, "weight_map": dict.fromkeys(keys, target)}
        index_file.write_text(json.dumps(index, indent=2) + "\n")
