"""egt's sampling configuration: the one place that says how tokens are drawn, for every engine.

Rollouts (entropy), GRPO and evaluation must sample exactly the distribution egt's entropy is
computed on: softmax(logits / temperature), with nothing else applied. A checkpoint's
``generation_config.json`` says otherwise — Qwen2.5-VL-Instruct ships ``repetition_penalty`` 1.05,
``top_k`` 1, ``top_p`` 0.001, ``temperature`` 0.1 — and transformers fills every generation setting a
caller leaves unset from that file (``GenerationMixin._prepare_generation_config``, transformers
5.24.0 generation/utils.py:2107-2110), while vLLM applies it only as defaults of requests without
explicit ``SamplingParams``. So egt never leaves a setting to the checkpoint:
:func:`neutral_generation_config` replaces a loaded model's generation config with one that holds
only its special token ids, and :class:`Sampling` gives each engine every setting explicitly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from transformers import GenerationConfig

# The ids a generation config carries that are facts about the tokenizer, not sampling choices.
TOKEN_ID_FIELDS = ("bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id")
# vLLM clamps logit_bias to [-100, 100] (vllm 0.33.0 sampling_params.py:508): e^-100 relative
# probability, i.e. never sampled at the sequence lengths egt generates.
BANNED_LOGIT_BIAS = -100.0


@dataclass(frozen=True)
class Sampling:
    """How completions are drawn. ``temperature=None`` means greedy decoding.

    Sampled decoding is plain ancestral sampling at ``temperature`` (no top-k, top-p or penalty),
    the distribution whose entropy :mod:`egt.generation.scoring` computes.
    """

    max_new_tokens: int
    temperature: float | None = None
    num_samples: int = 1

    def __post_init__(self):
        if self.temperature is not None and self.temperature <= 0:
            raise ValueError(f"temperature must be > 0 (or None for greedy decoding), got {self.temperature}")
        if self.temperature is None and self.num_samples != 1:
            raise ValueError("greedy decoding gives one completion per prompt; num_samples must be 1")

    @property
    def greedy(self) -> bool:
        return self.temperature is None

    def hf_kwargs(self, banned_ids: list[int]) -> dict:
        """Keyword arguments of ``model.generate``: every logit-processing setting explicit."""
        return {
            "do_sample": not self.greedy,
            "temperature": 1.0 if self.greedy else self.temperature,
            "top_k": 0,
            "top_p": 1.0,
            "typical_p": 1.0,
            "repetition_penalty": 1.0,
            "no_repeat_ngram_size": 0,
            "num_return_sequences": self.num_samples,
            "max_new_tokens": self.max_new_tokens,
            "suppress_tokens": list(banned_ids),
        }

    def vllm_kwargs(self, banned_ids: list[int]) -> dict:
        """Keyword arguments of ``vllm.SamplingParams`` (0.33.0) for the same distribution.

        vLLM's ``SamplingParams`` has no ``suppress_tokens``; a bias of -100 on a token bans it at
        sampling time. ``top_k=-1`` disables top-k in vLLM as ``top_k=0`` does in transformers.
        """
        return {
            "n": self.num_samples,
            "temperature": 0.0 if self.greedy else self.temperature,
            "top_k": -1,
            "top_p": 1.0,
            "min_p": 0.0,
            "repetition_penalty": 1.0,
            "presence_penalty": 0.0,
            "frequency_penalty": 0.0,
            "max_tokens": self.max_new_tokens,
            "logit_bias": {int(token): BANNED_LOGIT_BIAS for token in banned_ids},
            "skip_special_tokens": False,
        }


def neutral_generation_config(config: GenerationConfig) -> GenerationConfig:
    """A generation config with only ``config``'s special token ids: no sampling defaults to inherit."""
    return GenerationConfig(**{field: getattr(config, field, None) for field in TOKEN_ID_FIELDS})


def request_seeds(pair_ids: list[str], seed: int, num_samples: int) -> list[int]:
    """One vLLM request seed per pair, from the run's seed and the pair's id.

    vLLM gives the k-th of a request's ``n`` samples the seed ``seed + k`` (vllm 0.33.0
    v1/engine/parallel_sampling.py:76-81), so one seed for every request would give every pair the
    same K random streams. Each pair gets a 56-bit hash of (run seed, pair id) times ``num_samples``:
    its K streams are its own, and do not depend on the shard or batch the pair is in.
    """
    seeds = []
    for pair_id in pair_ids:
        digest = hashlib.sha256(f"{seed}:{pair_id}".encode()).digest()
        seeds.append(int.from_bytes(digest[:7], "big") * num_samples)
    return seeds
