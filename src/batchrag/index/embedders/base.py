"""The text embedder interface (one required method, `embed`), its error and the shared normalisation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from batchrag.domain.errors import BatchragError


class EmbedderError(BatchragError):
    """An embedder name is unknown or its model cannot be loaded."""


class TextEmbedder:
    """Maps texts to L2-normalised float32 vectors; `kind` lets asymmetric models (e5) prefix queries."""

    name: str = ""
    dim: int = 0

    def embed(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        raise NotImplementedError


def normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)
