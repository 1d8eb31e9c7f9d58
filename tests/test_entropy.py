import math

import pytest
import torch

from egt.generation.entropy import generated_token_mask, masked_mean, token_entropy


def test_uniform_distribution_has_entropy_log_vocab():
    vocab = 151
    logits = torch.zeros(3, 5, vocab)
    assert torch.allclose(token_entropy(logits), torch.full((3, 5), math.log(vocab)), atol=1e-5)


def test_one_hot_distribution_has_zero_entropy():
    logits = torch.full((4, 50), -1e4)
    logits[:, 7] = 1e4
    assert torch.allclose(token_entropy(logits), torch.zeros(4), atol=1e-6)


def test_masked_logits_contribute_nothing():
    logits = torch.tensor([[0.0, 0.0, float("-inf"), float("-inf")]])
    assert token_entropy(logits).item() == pytest.approx(math.log(2), abs=1e-6)


def test_matches_naive_formula_with_temperature_and_chunks():
    torch.manual_seed(0)
    logits = torch.randn(2, 37, 1000) * 3
    temperature = 0.7
    log_probs = torch.log_softmax(logits / temperature, dim=-1)
    naive = -(log_probs.exp() * log_probs).sum(-1)
    chunked = token_entropy(logits, temperature, chunk_rows=5)
    assert torch.allclose(chunked, naive, atol=1e-4)


def test_low_precision_logits_are_accumulated_in_float32():
    torch.manual_seed(1)
    logits = torch.randn(16, 4096)
    half = token_entropy(logits.to(torch.bfloat16))
    assert half.dtype == torch.float32
    assert torch.allclose(half, token_entropy(logits.to(torch.bfloat16).float()), atol=1e-5)


def test_entropy_is_within_zero_and_log_vocab():
    torch.manual_seed(2)
    values = token_entropy(torch.randn(64, 300) * 10)
    assert (values >= -1e-6).all() and (values <= math.log(300) + 1e-5).all()


def test_temperature_must_be_positive():
    with pytest.raises(ValueError, match="temperature"):
        token_entropy(torch.zeros(1, 3), temperature=0)


def test_mask_keeps_tokens_up_to_and_including_first_eos():
    eos, pad = 9, 0
    ids = torch.tensor([[5, 6, eos, pad, pad], [5, eos, 7, eos, pad], [1, 2, 3, 4, 5]])
    mask = generated_token_mask(ids, [eos])
    expected = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(mask, expected)


def test_masked_mean_excludes_padding_after_eos():
    entropies = torch.tensor([[1.0, 3.0, 100.0, 100.0]])
    mask = generated_token_mask(torch.tensor([[4, 2, 4, 4]]), [2])
    assert masked_mean(entropies, mask).item() == pytest.approx(2.0)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_low_precision_inputs_match_float64_reference(dtype):
    torch.manual_seed(3)
    logits = (torch.randn(3, 41, 2000) * 5).to(dtype)
    logits[0, :, 100:] = float("-inf")  # masked vocabulary
    reference_log_probs = torch.log_softmax(logits.double() / 1.3, dim=-1)
    reference = -(reference_log_probs.exp() * reference_log_probs.nan_to_num(neginf=0.0)).sum(-1)
    for chunk_rows in (1, 7, None):
        got = token_entropy(logits, 1.3, chunk_rows)
        assert got.dtype == torch.float32
        assert torch.allclose(got.double(), reference, atol=1e-4)
