"""REWRITERS: the query rewriters by name (none, auto, ollama[:<tag>], embedded, gguf:, openai:), plugins by
entry point."""

from __future__ import annotations

from batchrag.registry import Registry
from batchrag.retrieve.rewrite import factories
from batchrag.retrieve.rewrite.base import QueryRewriter

REWRITERS: Registry[QueryRewriter] = Registry(
    "rewriter",
    {
        "ollama": "batchrag.retrieve.rewrite.factories:_ollama",  # the answer backends themselves
        "embedded": "batchrag.retrieve.rewrite.factories:_embedded",
        "ollama:": "batchrag.retrieve.rewrite.factories:_ollama",  # ollama:<tag>
        "gguf:": "batchrag.retrieve.rewrite.factories:_gguf",  # gguf:<path>
        "openai:": "batchrag.retrieve.rewrite.factories:_openai",  # openai:<model> at settings.llm.openai_base_url
    },
    group="batchrag.rewriters",
    none=True,
    auto=factories._auto,
)
