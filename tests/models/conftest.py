"""Fixtures of the models tests: a scripted Ollama server on 127.0.0.1."""

from tests.support.ollama_wire import ollama  # noqa: F401
