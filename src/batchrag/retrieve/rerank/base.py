"""The reranker interface (one required method, `rerank`), its error, and a candidate's text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from batchrag.domain.errors import BatchragError


class RerankerError(BatchragError, ValueError):
    """A reranker name is unknown, its model cannot be loaded, or it cannot add anything to this index."""


class Reranker:
    """Scores (question, candidate passage) pairs afresh; higher is better. Candidates need a `.text` (or are str)."""

    name: str = ""

    def rerank(self, question: str, candidates: Sequence[Any]) -> list[float]:
        raise NotImplementedError


def _texts(candidates: Sequence[Any]) -> list[str]:
    return [c if isinstance(c, str) else c.text for c in candidates]
