"""The embedded default's data: a seeded synthetic world of coloured shapes, and its ideal observer.

Every item shows one shape filled with a colour that is a blend of a *true* colour and a
*distractor* colour. The blend weight is the item's ambiguity (0 = pure true colour; near 0.5
the two colours are indistinguishable). The question asks for the shape's colour; one
candidate response names the true colour, the other the distractor.

``color_jitter`` shifts each image's fill by a random RGB offset, so the blend weight cannot be
read back exactly from the pixels: near ambiguity 0.5 the true colour is genuinely uncertain,
for the model as for an annotator. Because the world is known, the best possible judge (the
*ideal observer*, which knows how images are made and reads the fill colour) is computed exactly
for every pair: no model can be expected to beat it.

Annotation noise (the pool's labels only) comes from a :class:`NoiseModel`:

- ``symmetric`` flips a label with probability ``flip_rate + ambiguity_slope * ambiguity``.
  Below 0.5 that only scales the reward signal down: the policy that maximises expected reward
  is still the truthful one, so this noise cannot hurt a learner (a control).
- ``first_when_unsure`` and ``favourite_when_unsure``: an annotator is unsure with a probability
  that rises linearly from 0 at ambiguity ``unsure_from`` to 1 at ``unsure_to``; unsure, they
  follow a habit with probability ``habit_strength`` — prefer the response shown first, or the
  response naming their favourite colour (the earlier one in ``PALETTE``'s order) — and otherwise
  pick the other response; sure, they are right but for ``flip_rate``. On ambiguous pairs the habit
  then earns the reward whatever the image shows, so a policy that learns it loses accuracy on
  clean data: noise that moves the reward optimum. A position habit is undone by training each
  pair in both presentation orders (``grpo.both_orders``); a colour habit is not.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from PIL import Image, ImageDraw

from egt.judging import reasoning_trace
from egt.schemas import HIDDEN_COLUMNS, SFT_COLUMNS

# Well separated in RGB so a tiny vision tower can tell them apart when unblended.
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 70, 220),
    "yellow": (235, 210, 40),
    "purple": (150, 50, 190),
    "cyan": (40, 210, 215),
}
SHAPES = ("circle", "square", "triangle")
RESPONSE_TEMPLATES = (
    "The {shape} is {color}.",
    "It is {color}.",
    "The color of the {shape} is {color}.",
)
BACKGROUND = (120, 120, 120)

# Split name -> stream index, so each split has its own independent random stream.
SPLIT_STREAMS = {
    "pool": 0,
    "sft": 1,
    "benchmark": 2,
    "validation": 3,
    "best_of_n": 4,
    # issue 24's scorer: a noisy split to choose it on (labelled like the pool), and its own phase-1 traces
    "noisy_validation": 5,
    "scorer_sft": 6,
}
NOISE_KINDS = ("symmetric", "first_when_unsure", "favourite_when_unsure")


@dataclass(frozen=True)
class NoiseModel:
    kind: str = "symmetric"
    flip_rate: float = 0.0
    ambiguity_slope: float = 0.0
    unsure_from: float = 0.15
    unsure_to: float = 0.35
    habit_strength: float = 0.9

    def __post_init__(self):
        if self.kind not in NOISE_KINDS:
            raise ValueError(f"noise kind must be one of {NOISE_KINDS}, got {self.kind!r}")
        if self.kind != "symmetric" and not self.unsure_from < self.unsure_to:
            raise ValueError("noise.unsure_from must be below noise.unsure_to")

    def unsure(self, ambiguity: np.ndarray) -> np.ndarray:
        """Probability that the annotator is unsure (first_when_unsure)."""
        return np.clip((ambiguity - self.unsure_from) / (self.unsure_to - self.unsure_from), 0.0, 1.0)

    def noise_probability(self, ambiguity: np.ndarray) -> np.ndarray:
        """P(label != true label | ambiguity): the score of the best ambiguity-based noise detector."""
        if self.kind == "symmetric":
            return np.clip(self.flip_rate + self.ambiguity_slope * ambiguity, 0.0, 1.0)
        unsure = self.unsure(ambiguity)
        # unsure: the pick follows a habit that is independent of the truth, which is 1 or 2 with
        # equal probability, so the label is wrong half the time whatever habit_strength is
        return unsure * 0.5 + (1 - unsure) * self.flip_rate

    def annotate(
        self, true_label: np.ndarray, ambiguity: np.ndarray, rng: np.random.Generator, habit: np.ndarray
    ) -> np.ndarray:
        """The annotated labels of pairs whose response 1 or 2 (``true_label``) is truly better;
        ``habit`` is the response (1 or 2) an unsure annotator's habit picks for each pair."""
        size = len(true_label)
        if self.kind == "symmetric":
            flip = rng.random(size) < self.noise_probability(ambiguity)
            return np.where(flip, 3 - true_label, true_label)
        unsure = rng.random(size) < self.unsure(ambiguity)
        picked = np.where(rng.random(size) < self.habit_strength, habit, 3 - habit)
        flip = rng.random(size) < self.flip_rate
        return np.where(unsure, picked, np.where(flip, 3 - true_label, true_label))


def render_image(shape: str, color: tuple[int, int, int], size: int, rng: np.random.Generator) -> bytes:
    """Draw one shape on a grey background and return PNG bytes."""
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    half = size * rng.uniform(0.30, 0.42)
    cx, cy = size / 2 + rng.uniform(-3, 3), size / 2 + rng.uniform(-3, 3)
    box = [cx - half, cy - half, cx + half, cy + half]
    if shape == "circle":
        draw.ellipse(box, fill=color)
    elif shape == "square":
        draw.rectangle(box, fill=color)
    else:
        draw.polygon([(cx, cy - half), (cx - half, cy + half), (cx + half, cy + half)], fill=color)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def blend(a: tuple[int, int, int], b: tuple[int, int, int], weight: float) -> tuple[int, int, int]:
    return tuple(int(round((1 - weight) * x + weight * y)) for x, y in zip(a, b, strict=True))


def jittered(fill: tuple[int, int, int], offset: np.ndarray) -> tuple[int, int, int]:
    """The fill shifted by ``offset``, clipped to [0, 255] and truncated to integers."""
    return tuple(int(np.clip(c + o, 0, 255)) for c, o in zip(fill, offset, strict=True))


# --- the ideal observer ----------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _pixel_log_likelihood(observed: np.ndarray, mean: np.ndarray, jitter: float) -> np.ndarray:
    """log P(fill channel = observed | blended channel = mean), for fill = int(clip(mean + N(0, jitter²), 0, 255))."""
    sigma = max(jitter, 0.3)  # without jitter the fill is exact; a narrow kernel keeps the algebra finite

    def cdf(x):
        return 0.5 * (1.0 + _erf((x - mean) / (sigma * math.sqrt(2.0))))

    low = np.where(observed <= 0, 0.0, cdf(observed))
    high = np.where(observed >= 255, 1.0, cdf(observed + 1.0))
    return np.log(np.maximum(high - low, 1e-300))


def ideal_first_probability(
    fills: np.ndarray,
    colors_1: np.ndarray,
    colors_2: np.ndarray,
    max_ambiguity: float,
    jitter: float,
    grid: int = 101,
) -> np.ndarray:
    """P(response 1 names the true colour | the image's fill), for each pair, under the world's generative model.

    ``fills``, ``colors_1`` and ``colors_2`` are ``[n, 3]`` RGB arrays: the observed fill and the
    palette colours the two responses name. The ambiguity is integrated out over its uniform
    prior (a midpoint rule with ``grid`` points); true and distractor are a priori equally likely.
    """
    weights = (np.arange(grid) + 0.5) / grid * max_ambiguity  # [grid]
    fills = fills[:, None, :].astype(np.float64)

    def log_likelihood(true, distractor):
        mean = np.rint(
            (1 - weights)[None, :, None] * true[:, None, :] + weights[None, :, None] * distractor[:, None, :]
        )
        per_weight = _pixel_log_likelihood(fills, mean, jitter).sum(axis=2)  # [n, grid]
        peak = per_weight.max(axis=1, keepdims=True)
        return (peak + np.log(np.exp(per_weight - peak).mean(axis=1, keepdims=True)))[:, 0]

    difference = log_likelihood(colors_1, colors_2) - log_likelihood(colors_2, colors_1)
    return 1.0 / (1.0 + np.exp(-np.clip(difference, -700, 700)))


# --- generation ------------------------------------------------------------------------------


def generate_split(
    split: str,
    size: int,
    seed: int,
    image_size: int,
    max_ambiguity: float,
    noise: NoiseModel | None,
    color_jitter: float = 0.0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Generate one split; returns (public table, hidden table).

    The public table has the SFT columns (pairs + ``reasoning``); ``noise=None`` gives clean
    labels (the SFT set, the validation set and the benchmark). The hidden table holds the
    truth: ``true_label``, ``is_noisy``, ``ambiguity`` and ``ideal_p1`` (the ideal observer's
    probability that response 1 is right).
    """
    rng = np.random.default_rng([seed, SPLIT_STREAMS[split]])
    # their own streams, so the jitter changes pixels only and the annotator labels only
    jitter_rng = np.random.default_rng([seed, SPLIT_STREAMS[split], 1])
    annotator_rng = np.random.default_rng([seed, SPLIT_STREAMS[split], 2])
    colors = list(PALETTE)
    ambiguity = rng.uniform(0.0, max_ambiguity, size)
    true_label = rng.integers(1, 3, size)

    rows, fills, named_1, named_2, favourite = [], [], [], [], []
    for i in range(size):
        shape = SHAPES[rng.integers(len(SHAPES))]
        true_color, distractor = rng.choice(len(colors), size=2, replace=False)
        true_name, wrong_name = colors[true_color], colors[distractor]
        fill = blend(PALETTE[true_name], PALETTE[wrong_name], float(ambiguity[i]))
        if color_jitter > 0:
            fill = jittered(fill, jitter_rng.normal(0.0, color_jitter, 3))
        template = RESPONSE_TEMPLATES[rng.integers(len(RESPONSE_TEMPLATES))]
        good = template.format(shape=shape, color=true_name)
        bad = template.format(shape=shape, color=wrong_name)
        response_1, response_2 = (good, bad) if true_label[i] == 1 else (bad, good)
        color_1, color_2 = (true_name, wrong_name) if true_label[i] == 1 else (wrong_name, true_name)
        fills.append(fill)
        named_1.append(PALETTE[color_1])
        named_2.append(PALETTE[color_2])
        favourite.append(1 if colors.index(color_1) < colors.index(color_2) else 2)
        rows.append(
            {
                "pair_id": f"{split}-{i:06d}",
                "image": render_image(shape, fill, image_size, rng),
                "question": f"What color is the {shape}?",
                "response_1": response_1,
                "response_2": response_2,
                "label": 0,  # annotated below
                # The SFT trace describes what is really in the image (the true colour).
                "reasoning": reasoning_trace(shape, true_name, color_1, color_2),
            }
        )
    if noise is None:
        label = true_label
    else:
        habit = np.array(favourite) if noise.kind == "favourite_when_unsure" else np.ones(size, dtype=int)
        label = noise.annotate(true_label, ambiguity, annotator_rng, habit)
    public = pl.DataFrame(rows, schema=SFT_COLUMNS).with_columns(pl.Series("label", label, dtype=pl.Int8))
    ideal = (
        ideal_first_probability(np.array(fills), np.array(named_1), np.array(named_2), max_ambiguity, color_jitter)
        if size
        else np.zeros(0)
    )
    hidden = pl.DataFrame(
        {
            "pair_id": public["pair_id"],
            "true_label": true_label,
            "is_noisy": np.asarray(label) != true_label,
            "ambiguity": ambiguity,
            "ideal_p1": ideal,
        }
    ).cast(HIDDEN_COLUMNS)
    return public, hidden


def generate_candidate_sets(
    size: int, candidates: int, seed: int, image_size: int, max_ambiguity: float, color_jitter: float = 0.0
) -> list[dict]:
    """Best-of-N items (their own random stream): an image made as in :func:`generate_split`, and
    ``candidates`` answers naming the true colour, the distractor and other palette colours, shuffled.

    Each item: ``item_id``, ``image``, ``question``, ``candidates``, ``correct`` (the index of the
    answer naming the true colour) and ``ideal_wins`` (``[i][j]``: the ideal observer's probability
    that answer i names the true colour rather than answer j; None on the diagonal).
    """
    if not 2 <= candidates <= len(PALETTE):
        raise ValueError(f"best of N needs 2 to {len(PALETTE)} candidates (one per palette colour), not {candidates}")
    rng = np.random.default_rng([seed, SPLIT_STREAMS["best_of_n"]])
    jitter_rng = np.random.default_rng([seed, SPLIT_STREAMS["best_of_n"], 1])
    colors = list(PALETTE)
    items = []
    for i in range(size):
        shape = SHAPES[rng.integers(len(SHAPES))]
        named = [colors[c] for c in rng.choice(len(colors), size=candidates, replace=False)]
        true_name, distractor = named[0], named[1]  # the rest are plainly absent from the image
        fill = blend(PALETTE[true_name], PALETTE[distractor], float(rng.uniform(0.0, max_ambiguity)))
        if color_jitter > 0:
            fill = jittered(fill, jitter_rng.normal(0.0, color_jitter, 3))
        template = RESPONSE_TEMPLATES[rng.integers(len(RESPONSE_TEMPLATES))]
        order = rng.permutation(candidates)
        shown = [named[k] for k in order]
        pairs = [(a, b) for a in range(candidates) for b in range(candidates) if a != b]
        ideal = ideal_first_probability(
            np.array([fill] * len(pairs)),
            np.array([PALETTE[shown[a]] for a, _ in pairs]),
            np.array([PALETTE[shown[b]] for _, b in pairs]),
            max_ambiguity,
            color_jitter,
        )
        wins: list[list[float | None]] = [[None] * candidates for _ in range(candidates)]
        for (a, b), p in zip(pairs, ideal.tolist(), strict=True):
            wins[a][b] = p
        items.append(
            {
                "item_id": f"best_of_n-{i:06d}",
                "image": render_image(shape, fill, image_size, rng),
                "question": f"What color is the {shape}?",
                "candidates": [template.format(shape=shape, color=name) for name in shown],
                "correct": int(np.flatnonzero(order == 0)[0]),
                "ideal_wins": wins,
            }
        )
    return items
