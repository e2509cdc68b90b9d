"""BACKENDS: the LLM backends by name, built-ins imported on first use, plugins by entry point."""

from __future__ import annotations

from batchrag.llm import auto
from batchrag.llm.base import LLMBackend
from batchrag.registry import Registry
from batchrag.settings import Settings

BACKENDS: Registry[LLMBackend] = Registry(
    "LLM backend",
    {
        "ollama": "batchrag.llm.ollama:OllamaBackend",
        "openai": "batchrag.llm.openai_compat:OpenAICompatBackend",
        "embedded": "batchrag.llm.embedded:EmbeddedBackend",
        "extractive": "batchrag.llm.extractive:ExtractiveBackend",
    },
    group="batchrag.backends",
    auto=auto.answer_backend,
)


def backend_context(settings: Settings) -> dict:
    """What a backend may take beside its part (settings.llm): the data folder's pulled models (embedded) and how
    quotes are chosen (extractive, the answer part's `quotes`). A factory is handed only the names it declares."""
    return {"models_dir": settings.store.models_dir, "quotes": settings.answer.quotes}


def create_backend(name: str, settings: Settings, **context) -> LLMBackend:
    """The backend called `name`, handed settings.llm and its context (`auto` picks the first healthy one)."""
    return BACKENDS.create(name, settings.llm, **(backend_context(settings) | context))


def get_backend(settings: Settings, name: str | None = None) -> LLMBackend:
    """The backend `name` (default: settings.llm.backend) names; `auto` picks the first healthy one."""
    return create_backend(name or settings.llm.backend, settings)
