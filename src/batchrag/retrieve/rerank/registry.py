"""RERANKERS: second-stage rerankers by name (none, e5, st:<cross-encoder>), plugins by entry point."""

from __future__ import annotations

from batchrag.registry import Registry
from batchrag.retrieve.rerank.base import Reranker

RERANKERS: Registry[Reranker] = Registry(
    "reranker",
    {
        "e5": "batchrag.retrieve.rerank.e5:E5Reranker",
        "st:": "batchrag.retrieve.rerank.cross_encoder:CrossEncoderReranker",
    },
    group="batchrag.rerankers",
    none=True,
)
