"""Judging with a model: sampling, prompts, exact entropy, rollouts (torch; no polars in judge/entropy/scoring)."""

# The share of a judgment's tokens, highest entropy first, whose mean entropy is its forking_token_entropy.
FORKING_SHARE = 0.2
