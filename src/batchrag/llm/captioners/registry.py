"""CAPTIONERS: the picture captioners by name (none, auto, ollama:<tag>, openai:<model>), plugins by entry point."""

from __future__ import annotations

from batchrag.llm import auto
from batchrag.llm.captioners.base import Captioner
from batchrag.registry import Registry

CAPTIONERS: Registry[Captioner] = Registry(
    "captioner",
    {
        "ollama:": "batchrag.llm.captioners.ollama_vision:OllamaCaptioner",
        "openai:": "batchrag.llm.captioners.openai_vision:OpenAICaptioner",
    },
    group="batchrag.captioners",
    none=True,
    auto=auto.captioner,
)
