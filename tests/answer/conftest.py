"""Fixtures of the answer tests: the scripted Ollama server of the llm tests."""

from tests.support.ollama_wire import ollama  # noqa: F401
