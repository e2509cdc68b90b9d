"""Shared fixtures: every test gets its own temporary data dir, never the real data/."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchrag.settings import get_settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(d))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    get_settings.cache_clear()
    yield d
    get_settings.cache_clear()


@pytest.fixture
def shared_dir():
    if not SHARED.exists():
        pytest.skip("../shared is absent (a user's clone): real-data tests skipped")
    return SHARED


@pytest.fixture(scope="session")
def corpus():
    """The fixture-corpus builder (tests/support/corpus.py): a real store + index of invented articles."""
    from tests.support import corpus

    return corpus
