"""Local LLM backends (Ollama, embedded llama.cpp, extractive fallback) and all prompts."""

from batchrag.llm.base import BackendStatus, LLMBackend, LLMError
from batchrag.llm.registry import BACKENDS, get_backend

__all__ = ["BACKENDS", "BackendStatus", "LLMBackend", "LLMError", "get_backend"]
