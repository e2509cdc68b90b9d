"""Local LLM backends (Ollama, embedded llama.cpp, extractive fallback) and all prompts."""

from batchrag.llm.base import BACKENDS, BackendStatus, LLMBackend, LLMError, get_backend

__all__ = ["BACKENDS", "BackendStatus", "LLMBackend", "LLMError", "get_backend"]
