"""The page under Streamlit's AppTest binds where `batchrag serve` does by default, 127.0.0.1: without an address
Streamlit binds every interface, where the page asks for a key (service/exposure.py). Set before any AppTest reads
Streamlit's config; a page started with `--server.address` (tests/support/streamlit_app.py) overrides it."""

import os

os.environ.setdefault("STREAMLIT_SERVER_ADDRESS", "127.0.0.1")
