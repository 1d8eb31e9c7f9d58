"""Teacher-forced entropy re-scoring equals the entropy of the sampling distribution."""

import math

import torch

from egt.generation.entropy import generated_token_mask, token_entropy
from egt.generation.inputs import repeat_inputs
from egt.generation.judge import prompts_and_images
from egt.generation.pairs import judge_pairs
from egt.generation.sampling import Sampling
from egt.generation.scoring import completion_entropies
from egt.modeling import load_model, load_processor, vision_token_ids


def test_rescoring_matches_generation_logits(tiny_family_model, tiny_pairs):
    """For every model family (egt.families): the same entropies as the logits the sampler drew from."""
    _, path, _ = tiny_family_model
    model, processor = load_model(str(path)), load_processor(str(path))
    rows = tiny_pairs.head(3).to_dicts()
    texts, images = prompts_and_images(processor, rows, "egt")
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True)
    temperature, samples = 0.8, 2
    torch.manual_seed(0)
    out = model.generate(
        **inputs,
        do_sample=True,
        temperature=temperature,
        top_k=0,
        top_p=1.0,
        num_return_sequences=samples,
        max_new_tokens=12,
        suppress_tokens=vision_token_ids(processor),
        output_logits=True,
        return_dict_in_generate=True,
    )
    generated = out.sequences[:, inputs["input_ids"].shape[1] :]
    mask = generated_token_mask(generated, [model.generation_config.eos_token_id])
    from_generation = token_entropy(torch.stack(out.logits, dim=1), temperature)
    rescored = completion_entropies(model, repeat_inputs(inputs, samples), generated, mask, temperature, chunk_rows=5)
    assert torch.allclose(rescored[mask], from_generation[mask], atol=1e-4)
    assert (rescored[~mask] == 0).all()


def test_judge_pairs_rows_and_entropy_bounds(tiny_model_dir, tiny_pairs):
    model, processor = load_model(str(tiny_model_dir)), load_processor(str(tiny_model_dir))
    rollouts = judge_pairs(model, processor, tiny_pairs, Sampling(10, 1.0, 3), batch_size=4, seed=0, template="egt")
    assert rollouts.height == 3 * tiny_pairs.height
    assert rollouts.group_by("pair_id").len()["len"].to_list() == [3] * tiny_pairs.height
    vocab = model.config.text_config.vocab_size
    entropy = rollouts["mean_token_entropy"]
    assert entropy.is_finite().all() and entropy.min() >= 0 and entropy.max() <= math.log(vocab) + 1e-4
    # same seed, same rollouts: sampling is reproducible on CPU
    again = judge_pairs(model, processor, tiny_pairs, Sampling(10, 1.0, 3), batch_size=4, seed=0, template="egt")
    assert again.equals(rollouts)
    greedy = judge_pairs(model, processor, tiny_pairs, Sampling(10), batch_size=4, seed=0, template="egt")
    assert greedy["mean_token_entropy"].is_null().all()


def test_pickled_weights_are_refused(tiny_model_dir, tmp_path):
    """Weights load only from safetensors: a pickle checkpoint (which could run code) is not read."""
    import shutil

    import pytest

    pickled = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, pickled)
    (pickled / "model.safetensors").unlink()
    torch.save(load_model(str(tiny_model_dir)).state_dict(), pickled / "pytorch_model.bin")
    with pytest.raises(OSError):
        load_model(str(pickled))


def test_video_frames_are_judged_as_several_images(tiny_model_dir, tiny_pairs):
    """A video item (MM-RLHF-RewardBench) is judged from its sampled frames, one image each; rescoring
    repeats every prompt's images as a block, so a mix of one- and three-image prompts lines up."""
    import polars as pl

    model, processor = load_model(str(tiny_model_dir)), load_processor(str(tiny_model_dir))
    frames = tiny_pairs["image"].head(3).to_list()
    pairs = tiny_pairs.head(3).with_columns(pl.Series("frames", [None, frames, None], dtype=pl.List(pl.Binary)))
    texts, images = prompts_and_images(processor, pairs.to_dicts(), template="r1_reward")
    assert len(images) == 5 and texts[1].count("<|vision_start|>") == 3 and texts[0].count("<|vision_start|>") == 1
    assert "###### [Response 1]:" in texts[0]
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True)
    repeated = repeat_inputs(inputs, 2, [1, 3, 1])
    assert repeated["image_grid_thw"].shape[0] == 10 and repeated["input_ids"].shape[0] == 6
    sampled = judge_pairs(model, processor, pairs, Sampling(8, 1.0, 2), batch_size=3, seed=0, template="r1_reward")
    assert sampled.height == 6 and sampled["mean_token_entropy"].is_finite().all()
    greedy = judge_pairs(model, processor, pairs, Sampling(8), batch_size=3, seed=0, template="r1_reward")
    assert greedy.height == 3


def test_the_answer_tokens_entropy_is_read_at_the_answer_digit(tiny_model_dir):
    """egt.generation.judge.answer_token_entropies on the tiny model's real tokenizer: the entropy of the
    token that carries the parsed answer, None without an answer; padding after the end never counts."""
    from egt.generation.judge import answer_token_entropies

    tokenizer = load_processor(str(tiny_model_dir)).tokenizer
    texts = ["<think>1 or 2? 2 it is</think><answer>2</answer>", "<think>no idea</think>", "<answer>1</answer>"]
    rows = [
        tokenizer(t, add_special_tokens=False)["input_ids"] + [tokenizer.convert_tokens_to_ids("<|im_end|>")]
        for t in texts
    ]
    width = max(len(r) for r in rows) + 2
    pad = tokenizer.pad_token_id
    generated = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
    mask = generated_token_mask(generated, [tokenizer.convert_tokens_to_ids("<|im_end|>")])
    entropies = torch.arange(generated.numel(), dtype=torch.float32).reshape(generated.shape)
    found = answer_token_entropies(tokenizer, generated, mask, entropies)
    for row, text, value in zip(rows, texts, found, strict=True):
        if "<answer>" not in text:
            assert value is None
            continue
        pieces = [tokenizer.decode([i]) for i in row]
        digit = text[text.index("<answer>") + len("<answer>")]
        (position,) = [
            i for i, piece in enumerate(pieces) if digit in piece and "".join(pieces[:i]).endswith("<answer>")
        ]
        assert value == entropies[rows.index(row), position].item()
