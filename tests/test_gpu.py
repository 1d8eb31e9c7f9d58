"""On a GPU, when there is one: the judge and the exact entropy in bfloat16 on CUDA. Skipped on CPU
machines (tools/gpu-check.sh runs the whole rehearsal on a GPU)."""

import math

import pytest
import torch

from egt.generation.entropy import generated_token_mask, token_entropy
from egt.generation.inputs import repeat_inputs
from egt.generation.judge import prompts_and_images
from egt.generation.pairs import judge_pairs
from egt.generation.sampling import Sampling
from egt.generation.scoring import completion_entropies
from egt.modeling import load_model, load_processor, vision_token_ids

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def test_rescored_entropy_matches_sampling_on_cuda_in_bfloat16(tiny_model_dir, tiny_pairs):
    model = load_model(str(tiny_model_dir), dtype=torch.bfloat16).to("cuda")
    processor = load_processor(str(tiny_model_dir))
    texts, images = prompts_and_images(processor, tiny_pairs.head(3).to_dicts(), "egt")
    inputs = processor(text=texts, images=images, return_tensors="pt", padding=True).to("cuda")
    out = model.generate(
        **inputs, do_sample=True, temperature=1.0, top_k=0, top_p=1.0, num_return_sequences=2, max_new_tokens=12,
        suppress_tokens=vision_token_ids(processor), output_logits=True, return_dict_in_generate=True,
    )  # fmt: skip
    generated = out.sequences[:, inputs["input_ids"].shape[1] :]
    mask = generated_token_mask(generated, [model.generation_config.eos_token_id])
    from_generation = token_entropy(torch.stack(out.logits, dim=1), 1.0)
    rescored = completion_entropies(model, repeat_inputs(inputs, 2), generated, mask, 1.0)
    assert rescored.dtype == torch.float32  # accumulated in float32 whatever the model's dtype
    assert torch.allclose(rescored[mask], from_generation[mask], atol=5e-2)


def test_judging_on_cuda(tiny_model_dir, tiny_pairs):
    model = load_model(str(tiny_model_dir), dtype=torch.bfloat16).to("cuda")
    processor = load_processor(str(tiny_model_dir))
    rollouts = judge_pairs(model, processor, tiny_pairs, Sampling(10, 1.0, 2), batch_size=4, seed=0, template="egt")
    entropy = rollouts["mean_token_entropy"]
    assert rollouts.height == 2 * tiny_pairs.height
    assert entropy.is_finite().all() and entropy.max() <= math.log(model.config.text_config.vocab_size) + 1e-2
