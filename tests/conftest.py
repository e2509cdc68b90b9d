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


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL cluster for the session (tests/support/postgres.py); skipped where it cannot start."""
    from tests.support.postgres import PostgresServer

    server = PostgresServer()
    if server.missing:
        pytest.skip(server.missing)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, monkeypatch):
    """Run a store test on the default SQLite file and on a fresh PostgreSQL database (DATABASE_URL)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").database()
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        return url
    return get_settings().store.db_url
