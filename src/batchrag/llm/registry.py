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


def get_backend(settings: Settings, name: str | None = None) -> LLMBackend:
    """The backend `name` (default: settings.llm.backend) names; `auto` picks the first healthy one."""
    return BACKENDS.create(name or settings.llm.backend, settings)
