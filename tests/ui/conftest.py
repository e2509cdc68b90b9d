"""What the page's tests share: a demo library per test module, the environment that opens it quote-only, and the
address. The page under Streamlit's AppTest binds where `batchrag serve` does by default, 127.0.0.1: without an address
Streamlit binds every interface, where the page asks for a key (service/exposure.py). AppTest reads no command line
and no STREAMLIT_* variable, so the option is set in Streamlit's config before each test; a page started with
`--server.address` (tests/support/streamlit_app.py) is a process of its own and keeps its own."""

import pytest
from streamlit import config

from batchrag.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def page_on_loopback():
    config.set_option("server.address", "127.0.0.1", where_defined="tests/ui/conftest.py")
    yield



@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A real demo library (fixture site → crawl → index), built once per test module."""
    from batchrag.service.demo import build_demo_library

    d = tmp_path_factory.mktemp("demo") / "data"
    build_demo_library(Settings(data_dir=d))
    return d


@pytest.fixture
def app_env(monkeypatch, demo_dir):
    """The page over the demo library, answering with quotes, no rewrite."""
    monkeypatch.setenv("BATCHRAG_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("BATCHRAG_REWRITE", "off")
    monkeypatch.setenv("BATCHRAG_LLM_BACKEND", "extractive")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
