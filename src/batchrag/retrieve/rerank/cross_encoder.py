"""The `st:<model>` reranker: a sentence-transformers CrossEncoder (torch, an optional extra)."""

from __future__ import annotations

from typing import Any

import numpy as np

from batchrag.retrieve.rerank.base import Reranker, RerankerError, _texts
from batchrag.settings import RetrieveSettings

_CROSS_ENCODERS: dict[str, Any] = {}  # model path/id -> loaded CrossEncoder (seconds to load: once per process)


class CrossEncoderReranker(Reranker):
    """A sentence-transformers CrossEncoder (torch, an optional extra): a local path or a hub id such as the
    multilingual cross-encoder/mmarco-mMiniLMv2-L12-H384-v1 (hub ids need internet on first use)."""

    MAX_LENGTH = 512  # tokens of question + passage; passages are ~180 words, so this rarely truncates

    def __init__(self, _retrieve: RetrieveSettings, model: str = "", *, index_embedder: str | None = None):
        if not model:
            raise RerankerError("reranker 'st:' needs a model: st:<local path or hub id>")
        self._m = _CROSS_ENCODERS.get(model)
        if self._m is None:
            try:
                # Imported here: optional and heavy (torch): only when reranking.
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
