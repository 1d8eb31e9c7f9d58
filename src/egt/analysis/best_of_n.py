"""Best of N on the toy world: does the reward model's ranking put the right answer first?

Each item has N candidate answers to one image's question, one of them right (toy world:
:func:`egt.data.toyworld.generate_candidate_sets`). The model ranks them by round robin
(:meth:`egt.reward_model.RewardModel.rank_many`); the ideal observer ranks them the same way from its
exact pairwise probabilities; a random pick is right 1/N of the time.
"""

from __future__ import annotations

import math

from egt.reward_model import round_robin_order


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float | None, float | None]:
    """The 95 % Wilson score interval of a proportion (sound at small counts and near 0 or 1)."""
    if trials == 0:
        return None, None
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def best_of_n_report(orders: list[list[int]], items: list[dict], judgments: int) -> dict:
    """Top-1 accuracy and the right answer's mean rank, the model (``orders``: its rankings, best
    first) beside the ideal observer and a random pick, over ``items`` (with ``correct`` and
    ``ideal_wins``); ``judgments``: generations the model spent."""
    n = len(items[0]["candidates"]) if items else 0
    ideal_orders = [round_robin_order(item["ideal_wins"]) for item in items]

    def scored(rankings: list[list[int]]) -> dict:
        top = sum(order[0] == item["correct"] for order, item in zip(rankings, items, strict=True))
        low, high = wilson_interval(top, len(items))
        rank = [order.index(item["correct"]) + 1 for order, item in zip(rankings, items, strict=True)]
        return {
            "top1": top / len(items) if items else None,
            "top1_interval": [low, high],
            "mean_rank_of_right": sum(rank) / len(rank) if rank else None,
        }

    return {
        "items": len(items),
        "candidates": n,
        "scheme": "round_robin",
        "judgments": judgments,
        "model": scored(orders),
        "ideal_observer": scored(ideal_orders),
        "random": {"top1": 1 / n if n else None, "mean_rank_of_right": (n + 1) / 2 if n else None},
    }
