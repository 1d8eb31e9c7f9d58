"""Curation signals by name: how a pair's K rollouts become one number, higher = more suspect.

The paper's signal is ``pair_entropy``, the mean over the K samples of each sample's mean per-token
entropy. Others are registered beside it; each becomes a column of ``entropy/pair_entropy.parquet``
(named as the signal), ``curation.signal`` chooses the one that curation and the curriculum rank by,
and the summary gives every signal's AUROC for the toy world's injected noise, all from the same
rollouts. To add one, register it here (an expression over the rollouts of one pair, or over the
per-pair table) with a test in tests/test_signals.py; see docs/extending.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from egt.generation import FORKING_SHARE

# The per-pair columns a ``pair`` signal may read (computed by egt.curation.pair_entropy before the signals):
# num_samples, ones, twos (samples answering 1 / 2), label, accuracy (share of samples naming the label).


@dataclass(frozen=True)
class Signal:
    name: str  # the config value and the column it fills
    description: str  # one line for the summary's table and the config docs
    over: str  # "rollouts": aggregated over one pair's samples; "pair": computed on the per-pair table
    expression: pl.Expr
    label_aware: bool = False  # reads the (possibly noisy) label: a control, not label-free curation


SIGNALS: dict[str, Signal] = {}


def register(signal: Signal) -> Signal:
    if signal.over not in ("rollouts", "pair"):
        raise ValueError(f"signal {signal.name!r}: over must be 'rollouts' or 'pair', got {signal.over!r}")
    SIGNALS[signal.name] = signal
    return signal


def signal(name: str) -> Signal:
    if name not in SIGNALS:
        raise ValueError(f"unknown curation signal {name!r}; registered: {', '.join(SIGNALS)}")
    return SIGNALS[name]


def _share(count: pl.Expr) -> pl.Expr:
    return count.cast(pl.Float64) / pl.col("num_samples")


def _plogp(share: pl.Expr) -> pl.Expr:
    return pl.when(share > 0).then(-share * share.log()).otherwise(0.0)


DEFAULT = "pair_entropy"
register(
    Signal(
        "pair_entropy",
        "mean per-token entropy of the sampled judgments, averaged over the K samples (the paper's)",
        "rollouts",
        pl.col("mean_token_entropy").cast(pl.Float64).mean(),
    )
)
register(
    Signal(
        "answer_token_entropy",
        "entropy of the next-token distribution at the answer digit (samples with no answer left out)",
        "rollouts",
        pl.col("answer_token_entropy").cast(pl.Float64).mean(),
    )
)
register(
    Signal(
        "forking_token_entropy",
        f"mean entropy of each judgment's highest-entropy {FORKING_SHARE:.0%} of tokens (its forks), over K samples",
        "rollouts",
        pl.col("forking_token_entropy").cast(pl.Float64).mean(),
    )
)
register(
    Signal(
        "sampled_answer_entropy",
        "entropy (nats) of the K sampled answers over 1, 2 and unparseable (label-free)",
        "pair",
        _plogp(_share(pl.col("ones")))
        + _plogp(_share(pl.col("twos")))
        + _plogp(_share(pl.col("num_samples") - pl.col("ones") - pl.col("twos"))),
    )
)
register(
    Signal(
        "label_disagreement",
        "share of the K samples not naming the labelled response (label-aware control)",
        "pair",
        1.0 - pl.col("accuracy"),
        label_aware=True,
    )
)
