"""Fusion of several rankings into one score (reciprocal rank, min-max scores, standardised scores) and the recency
boost of a fused score."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)

DEPTH = 100  # items taken from each signal before fusion

# A ranking: its keys best first, or key -> 0-based rank when several keys share a rank.
Ranking = Sequence[K] | Mapping[K, int]


def rrf(rankings: Iterable[tuple[Ranking, float]], k: int) -> dict[K, float]:
    """Each (ranking, weight) adds weight / (k + rank) to its keys, rank counted from 1; keys in first-seen order.

    The sums are made ranking by ranking, in the order given: float addition is not associative."""
    fused: dict = {}
    for ranking, weight in rankings:
        ranked = ranking.items() if isinstance(ranking, Mapping) else ((key, r) for r, key in enumerate(ranking))
        for key, rank in ranked:
            fused[key] = fused.get(key, 0.0) + weight / (k + rank + 1)
    return fused


def score_fusion(
    rankings: Iterable[tuple[Sequence[tuple[K, float]], float] | tuple[Sequence[tuple[K, float]], float, float]],
) -> dict[K, float]:
    """Each (ranking of (key, score) best first, weight[, floor]) adds weight × the key's score min-max normalised
    over that ranking (its best 1, its last 0; all 1 when they tie); keys in first-seen order. A ranking given a
    `floor` is normalised from that floor instead of its last score: BM25's 0 means "no match", so two articles
    that match one word almost equally stay almost equal, where min-max would give 1 and 0.

    Unlike RRF it keeps how far ahead a signal's best hits are: one confident BM25 match of a rewrite's rare
    words is not outvoted by articles a few ranks down in several dense lists (docs/decisions/0010)."""
    fused: dict = {}
    for ranking, weight, *floor in rankings:
        if not ranking:
            continue
        scores = [s for _, s in ranking]
        lo, hi = min(scores + floor), max(scores)
        span = hi - lo
        for key, s in ranking:
            fused[key] = fused.get(key, 0.0) + weight * ((s - lo) / span if span > 0 else 1.0)
    return fused


def boost(fused: dict[K, float], share: Callable[[K], float], weight: float) -> None:
    """Scale each score by 1 + weight × its key's share in [0, 1] (the newest item's 1, an undated one's 0)."""
    for key in fused:
        fused[key] *= 1 + weight * share(key)


def standardised(values: np.ndarray, sample: np.ndarray | None = None) -> np.ndarray:
    """`values` in standard deviations from the mean of `sample` (values itself when None): a signal calibrated by
    its own distribution, so that signals of different scales add up (docs/decisions/0015). A flat sample gives 0."""
    sample = values if sample is None else sample
    if not len(sample):
        return np.zeros_like(values, dtype=np.float64)
    sd = float(np.std(sample))
    return (values - float(np.mean(sample))) / sd if sd > 0 else np.zeros_like(values, dtype=np.float64)
