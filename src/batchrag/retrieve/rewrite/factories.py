"""The rewriters' factories: the answer backends, a tagged Ollama model, a GGUF, an OpenAI-compatible model, and
`auto` (the model itself is chosen in llm/auto.py)."""

from __future__ import annotations

from pathlib import Path

from batchrag.llm import auto
from batchrag.llm.registry import BACKENDS, create_backend
from batchrag.retrieve.rewrite.base import NoRewriter, QueryRewriter
from batchrag.retrieve.rewrite.llm_rewriter import LLMRewriter
from batchrag.settings import Settings


def _ollama(settings: Settings, model: str | None = None) -> QueryRewriter:
    # Imported here: as in the registries: a part loads only when chosen.
    from batchrag.llm.ollama import OllamaBackend

    # The HTTP timeout doubles as the budget so a hung server is dropped, not just abandoned.
    return LLMRewriter(settings, OllamaBackend(settings.llm, timeout_s=settings.retrieve.rewrite_budget_s, model=model))


def _embedded(settings: Settings) -> QueryRewriter:
    return LLMRewriter(settings, create_backend("embedded", settings))


def _gguf(settings: Settings, path: str) -> QueryRewriter:
    # Imported here: as in the registries: a part loads only when chosen.
    from batchrag.llm.embedded import EmbeddedBackend

    return LLMRewriter(settings, EmbeddedBackend(settings.llm, path=Path(path).expanduser()))


def _openai(settings: Settings, model: str) -> QueryRewriter:
    budget = settings.retrieve.rewrite_budget_s
    return LLMRewriter(settings, create_backend("openai", settings, model=model, timeout_s=budget))


def _auto(registry, settings: Settings) -> QueryRewriter:
    """settings.retrieve.rewrite_model when set; else the model llm.auto picks for rewriting (docs/models.md)."""
    chosen = settings.retrieve.rewrite_model.strip()
    if chosen == "none":
        return NoRewriter("rewriting is off (BATCHRAG_REWRITE_MODEL=none)")
    if chosen not in ("", "auto"):
        return registry.create(chosen, settings)
    backend, why = auto.rewrite_backend(
        BACKENDS, settings.llm, budget_s=settings.retrieve.rewrite_budget_s, models_dir=settings.store.models_dir,
        demo_ok=settings.retrieve.rewrite == "on",
    )
    return NoRewriter(why) if backend is None else LLMRewriter(settings, backend)
