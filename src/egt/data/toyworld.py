"""The embedded default's data: a seeded synthetic world of coloured shapes.

Every item shows one shape filled with a colour that is a blend of a *true* colour and a
*distractor* colour. The blend weight is the item's ambiguity (0 = pure true colour; near 0.5
the two colours are indistinguishable). The question asks for the shape's colour; one
candidate response names the true colour, the other the distractor. Annotation noise flips the
preference label with probability ``flip_rate + ambiguity_slope * ambiguity``, so ambiguous
pairs carry more label noise, as in human annotation.

``color_jitter`` shifts each image's fill by a random RGB offset, so the blend weight cannot be
read back exactly from the pixels: near ambiguity 0.5 the true colour is genuinely uncertain,
for the model as for an annotator. Without it a vision tower learns to decode every blend.
"""

from __future__ import annotations

import io
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
SPLIT_STREAMS = {"pool": 0, "sft": 1, "benchmark": 2}


@dataclass(frozen=True)
class NoiseModel:
    flip_rate: float
    ambiguity_slope: float

    def flip_probability(self, ambiguity: np.ndarray) -> np.ndarray:
        return np.clip(self.flip_rate + self.ambiguity_slope * ambiguity, 0.0, 1.0)


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
    labels (the SFT set and the benchmark).
    """
    rng = np.random.default_rng([seed, SPLIT_STREAMS[split]])
    # its own stream, so the jitter changes pixels only, never the world (shapes, colours, labels)
    jitter_rng = np.random.default_rng([seed, SPLIT_STREAMS[split], 1])
    colors = list(PALETTE)
    ambiguity = rng.uniform(0.0, max_ambiguity, size)
    true_label = rng.integers(1, 3, size)
    if noise is None:
        is_noisy = np.zeros(size, dtype=bool)
    else:
        is_noisy = rng.random(size) < noise.flip_probability(ambiguity)
    label = np.where(is_noisy, 3 - true_label, true_label)

    rows = []
    for i in range(size):
        shape = SHAPES[rng.integers(len(SHAPES))]
        true_color, distractor = rng.choice(len(colors), size=2, replace=False)
        true_name, wrong_name = colors[true_color], colors[distractor]
        fill = blend(PALETTE[true_name], PALETTE[wrong_name], float(ambiguity[i]))
        if color_jitter > 0:
            offset = jitter_rng.normal(0.0, color_jitter, 3)
            fill = tuple(int(np.clip(c + o, 0, 255)) for c, o in zip(fill, offset, strict=True))
        template = RESPONSE_TEMPLATES[rng.integers(len(RESPONSE_TEMPLATES))]
        good = template.format(shape=shape, color=true_name)
        bad = template.format(shape=shape, color=wrong_name)
        response_1, response_2 = (good, bad) if true_label[i] == 1 else (bad, good)
        color_1, color_2 = (true_name, wrong_name) if true_label[i] == 1 else (wrong_name, true_name)
        rows.append(
            {
                "pair_id": f"{split}-{i:06d}",
                "image": render_image(shape, fill, image_size, rng),
                "question": f"What color is the {shape}?",
                "response_1": response_1,
                "response_2": response_2,
                "label": int(label[i]),
                # The SFT trace describes what is really in the image (the true colour).
                "reasoning": reasoning_trace(shape, true_name, color_1, color_2),
            }
        )
    public = pl.DataFrame(rows, schema=SFT_COLUMNS)
    hidden = pl.DataFrame(
        {
            "pair_id": public["pair_id"],
            "true_label": true_label,
            "is_noisy": is_noisy,
            "ambiguity": ambiguity,
        }
    ).cast(HIDDEN_COLUMNS)
    return public, hidden
