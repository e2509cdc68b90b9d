"""Local LLM backends (Ollama, embedded llama.cpp, extractive fallback) and all prompts."""

from batchrag.llm.base import BackendStatus, LLMBackend, LLMError, get_backend, register_backend

__all__ = ["BackendStatus", "LLMBackend", "LLMError", "get_backend", "register_backend"]
