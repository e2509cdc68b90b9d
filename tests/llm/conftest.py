"""Fixtures of the llm tests: a scripted Ollama server on 127.0.0.1."""

from __future__ import annotations

import pytest
from ollama_wire import ScriptedOllama

from batchrag.settings import get_settings


@pytest.fixture
def ollama(monkeypatch):
    srv = ScriptedOllama().start()
    monkeypatch.setenv("OLLAMA_HOST", srv.url)
    get_settings.cache_clear()
    yield srv
    srv.stop()
