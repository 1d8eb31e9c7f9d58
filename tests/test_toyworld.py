import io

import numpy as np
import polars as pl
import pytest
from PIL import Image

from egt.data.toyworld import PALETTE, NoiseModel, generate_split
from egt.judging import parse_judgment

SYMMETRIC = NoiseModel("symmetric", 0.05, 0.8)


def test_generation_is_deterministic_and_seed_dependent():
    a, ha = generate_split("pool", 50, seed=3, image_size=56, max_ambiguity=0.45, noise=SYMMETRIC)
    b, hb = generate_split("pool", 50, seed=3, image_size=56, max_ambiguity=0.45, noise=SYMMETRIC)
    c, _ = generate_split("pool", 50, seed=4, image_size=56, max_ambiguity=0.45, noise=SYMMETRIC)
    assert a.equals(b) and ha.equals(hb)
    assert not a.equals(c)


def test_labels_images_and_traces_are_consistent():
    public, hidden = generate_split("sft", 40, seed=0, image_size=56, max_ambiguity=0.45, noise=None)
    assert set(public["label"].to_list()) <= {1, 2}
    assert (public["label"] == hidden["true_label"]).all() and not hidden["is_noisy"].any()
    for row in public.head(10).iter_rows(named=True):
        assert Image.open(io.BytesIO(row["image"])).size == (56, 56)
        judgment = parse_judgment(row["reasoning"])
        assert judgment.format_ok and judgment.answer == row["label"]
        better = row[f"response_{row['label']}"]
        color = row["reasoning"].split(" looks ")[1].split(".")[0]
        assert better.rstrip(".").endswith(color)


def test_noise_rate_grows_with_ambiguity():
    _, hidden = generate_split(
        "pool", 4000, seed=0, image_size=28, max_ambiguity=0.5, noise=NoiseModel("symmetric", 0.02, 0.8)
    )
    ambiguity = hidden["ambiguity"].to_numpy()
    noisy = hidden["is_noisy"].to_numpy()
    low, high = noisy[ambiguity < 0.1].mean(), noisy[ambiguity > 0.4].mean()
    assert 0.0 < low < 0.15 and high > 0.3
    expected = np.mean(0.02 + 0.8 * ambiguity)
    assert abs(noisy.mean() - expected) < 0.03


def test_splits_are_disjoint():
    pool, _ = generate_split("pool", 30, seed=0, image_size=28, max_ambiguity=0.45, noise=None)
    sft, _ = generate_split("sft", 30, seed=0, image_size=28, max_ambiguity=0.45, noise=None)
    assert not set(pool["pair_id"]) & set(sft["pair_id"])
    assert not set(pool["image"].to_list()) & set(sft["image"].to_list())


def test_color_jitter_hides_the_exact_blend():
    """Without jitter two items of the same colours and blend weight have the same fill; with it they differ."""

    def fills(jitter):
        public, hidden = generate_split(
            "pool", 300, seed=0, image_size=28, max_ambiguity=0.5, noise=None, color_jitter=jitter
        )
        centre = [Image.open(io.BytesIO(img)).convert("RGB").getpixel((14, 14)) for img in public["image"]]
        return np.array(centre, dtype=float), hidden["ambiguity"].to_numpy()

    exact, ambiguity = fills(0.0)
    jittered, same_ambiguity = fills(40.0)
    assert np.array_equal(ambiguity, same_ambiguity)  # jitter changes pixels, not the world's truth
    a, _ = generate_split("pool", 50, seed=0, image_size=28, max_ambiguity=0.5, noise=None)
    b, _ = generate_split("pool", 50, seed=0, image_size=28, max_ambiguity=0.5, noise=None, color_jitter=40.0)
    assert a.drop("image").equals(b.drop("image")) and not a["image"].equals(b["image"])
    spread = np.abs(jittered - exact).mean()
    assert 10 < spread < 60
    assert (jittered >= 0).all() and (jittered <= 255).all()


def test_first_when_unsure_annotators_pick_the_first_response():
    noise = NoiseModel("first_when_unsure", flip_rate=0.02, unsure_from=0.15, unsure_to=0.35, habit_strength=0.9)
    public, hidden = generate_split("pool", 6000, seed=0, image_size=28, max_ambiguity=0.5, noise=noise)
    ambiguity, label = hidden["ambiguity"].to_numpy(), public["label"].to_numpy()
    noisy = hidden["is_noisy"].to_numpy()
    clear, unsure = ambiguity < 0.15, ambiguity > 0.35
    assert abs((label[unsure] == 1).mean() - 0.9) < 0.03  # the position habit, whatever the truth
    assert abs((label[clear] == 1).mean() - 0.5) < 0.05
    assert abs(noisy[clear].mean() - 0.02) < 0.015 and abs(noisy[unsure].mean() - 0.5) < 0.04
    # the detector ceiling's score is the noise probability given ambiguity
    assert abs(noisy.mean() - noise.noise_probability(ambiguity).mean()) < 0.02
    with pytest.raises(ValueError, match="unsure_from must be below"):
        NoiseModel("first_when_unsure", unsure_from=0.4, unsure_to=0.2)


def test_ideal_observer_is_calibrated_and_beats_chance_where_it_can():
    _, hidden = generate_split(
        "validation", 3000, seed=2, image_size=28, max_ambiguity=0.5, noise=None, color_jitter=30
    )
    p1, truth, ambiguity = (
        hidden["ideal_p1"].to_numpy(),
        hidden["true_label"].to_numpy(),
        hidden["ambiguity"].to_numpy(),
    )
    right = np.where(p1 > 0.5, 1, 2) == truth
    confidence = np.maximum(p1, 1 - p1)
    assert abs(right.mean() - confidence.mean()) < 0.02  # a Bayes posterior: as often right as it is sure
    assert right[ambiguity < 0.2].mean() > 0.97 and 0.5 < right[ambiguity > 0.45].mean() < 0.8
    # without jitter every blend is decodable exactly, but for the few that round onto the midpoint
    _, exact = generate_split("validation", 300, seed=2, image_size=28, max_ambiguity=0.5, noise=None)
    clear = exact.filter(pl.col("ambiguity") < 0.49)
    assert (np.where(clear["ideal_p1"].to_numpy() > 0.5, 1, 2) == clear["true_label"].to_numpy()).all()


def test_favourite_colour_habit_survives_a_swap_of_the_responses():
    noise = NoiseModel("favourite_when_unsure", flip_rate=0.0, unsure_from=0.1, unsure_to=0.2, habit_strength=1.0)
    public, hidden = generate_split("pool", 3000, seed=0, image_size=28, max_ambiguity=0.5, noise=noise)
    unsure = public.filter(pl.Series(hidden["ambiguity"].to_numpy() > 0.2))
    order = list(PALETTE)

    def rank(response):
        return min(order.index(c) for c in order if c in response)

    # every unsure label names the response with the earlier palette colour, in whatever position
    preferred = [1 if rank(r["response_1"]) < rank(r["response_2"]) else 2 for r in unsure.iter_rows(named=True)]
    assert unsure["label"].to_list() == preferred
    assert 0.4 < (unsure["label"] == 1).mean() < 0.6  # no position habit
