"""Fixtures of the answer tests: a scripted Ollama server on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))
from ollama_wire import ScriptedOllama  # noqa: E402

from batchrag.settings import get_settings


@pytest.fixture
def ollama(monkeypatch):
    srv = ScriptedOllama().start()
    monkeypatch.setenv("OLLAMA_HOST", srv.url)
    get_settings.cache_clear()
    yield srv
    srv.stop()
