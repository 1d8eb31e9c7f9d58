"""The special and format tokens every model family of egt shares (Qwen's, so chat templates work unchanged)."""

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


def special_ids(tokenizer) -> dict[str, int]:
    return {token: tokenizer.convert_tokens_to_ids(token) for token in SPECIAL_TOKENS}


def mrope_section(head_dim: int) -> list[int]:
    """Multimodal RoPE's split of a head's rotary half into (time, height, width) sections, in Qwen's
    proportions (16, 24, 24 of 64)."""
    half = head_dim // 2
    spatial = half * 3 // 8
    return [half - 2 * spatial, spatial, spatial]
