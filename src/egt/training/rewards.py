"""GRPO reward functions (TRL signature: completions + dataset columns as keyword arguments)."""

from __future__ import annotations

from egt.judging import completion_text, parse_judgment


def format_reward(completions: list, **kwargs) -> list[float]:
    """1.0 when the completion is exactly ``<think>…</think><answer>1|2</answer>``, else 0.0."""
    return [1.0 if parse_judgment(completion_text(c)).format_ok else 0.0 for c in completions]


def accuracy_reward(completions: list, label: list[int], **kwargs) -> list[float]:
    """1.0 when the judged better response equals the pair's ``label``, else 0.0.

    Only the (possibly noisy) ``label`` is used: the toy world's hidden ``true_label`` never
    reaches training.
    """
    return [
        1.0 if parse_judgment(completion_text(c)).answer == int(y) else 0.0
        for c, y in zip(completions, label, strict=True)
    ]


def answers_first(completions: list, **kwargs) -> list[float]:
    """1.0 when the completion answers "1". Given weight 0 in training, it only logs the share of
    first-position answers per step (``rewards/answers_first/mean``): a drift toward a position
    habit shows there."""
    return [1.0 if parse_judgment(completion_text(c)).answer == 1 else 0.0 for c in completions]
