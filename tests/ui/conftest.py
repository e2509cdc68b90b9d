"""The page under Streamlit's AppTest binds where `batchrag serve` does by default, 127.0.0.1: without an address
Streamlit binds every interface, where the page asks for a key (service/exposure.py). AppTest reads no command line
and no STREAMLIT_* variable, so the option is set in Streamlit's config before each test; a page started with
`--server.address` (tests/support/streamlit_app.py) is a process of its own and keeps its own."""

import pytest
from streamlit import config


@pytest.fixture(autouse=True)
def page_on_loopback():
    config.set_option("server.address", "127.0.0.1", where_defined="tests/ui/conftest.py")
    yield

