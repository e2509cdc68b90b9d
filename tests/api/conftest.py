"""One fixture library for the API tests: the fixture corpus indexed once, answered by the extractive backend."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory, corpus):
    s = corpus.build(tmp_path_factory.mktemp("api") / "data", "use-m3")
    return s.with_changes(**{"llm_backend": "extractive", "rewrite": "off"})


@pytest.fixture(scope="session")
def api_app(api_settings):
    from batchrag.api import create_app

    return create_app(api_settings)


@pytest.fixture
def client(api_app):
    from fastapi.testclient import TestClient

    with TestClient(api_app, base_url="http://127.0.0.1") as c:  # a Host this server answers (api/guard.py)
        yield c


@pytest.fixture(scope="session")
def live(api_app):
    """The base URL of the real API (uvicorn) over the fixture library."""
    from tests.support.live_api import serve_app

    with serve_app(api_app) as url:
        yield url
